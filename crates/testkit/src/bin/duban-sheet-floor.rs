//! The import benchmark's floor in a process of its own, with the C library's
//! allocator (the benchmark itself runs under the server's): calamine reading one sheet
//! of a workbook, nothing else; the best of three reads, in seconds.
//!
//! duban-sheet-floor FILE SHEET

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, sheet] = args.as_slice() else {
        eprintln!("usage: duban-sheet-floor FILE SHEET");
        std::process::exit(2);
    };
    let bytes = std::fs::read(file).expect("read the file");
    println!("{:.3}", duban_testkit::bench::floor(&bytes, sheet));
}
