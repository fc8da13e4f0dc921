//! Mutated and truncated workbooks through the reader and the import rules: every
//! input ends in grids or an error, never a panic. Bounded (a fixed number of cases)
//! so that it runs in `make test`.

use duban_domain::import::{self, Kind};
use duban_domain::sheet::Cell;
use duban_sheets::{Limits, Template, template, workbook};
use proptest::prelude::*;
use std::io::{Read, Write};
use std::sync::OnceLock;

/// A filled progress template, the seed every case mutates.
fn seed() -> &'static [u8] {
    static SEED: OnceLock<Vec<u8>> = OnceLock::new();
    SEED.get_or_init(|| {
        let cols = Kind::Progress.columns();
        let rows = (0..20)
            .map(|i| {
                cols.iter()
                    .map(|c| match c.key {
                        "code" => Cell::Text(format!("XM-{i:03}")),
                        "period" => Cell::Text("2025-10".into()),
                        "invest_period" => Cell::Number(i as f64 * 1.5),
                        "started_on" => Cell::Date(45717.0),
                        "started" => Cell::Text("是".into()),
                        _ => Cell::Empty,
                    })
                    .collect()
            })
            .collect();
        template(&Template {
            sheets: vec![(Kind::Progress, rows)],
            english: true,
            ..Template::default()
        })
        .unwrap()
    })
}

/// The whole import path short of the database: read, detect, interpret.
fn import_never_panics(bytes: &[u8]) {
    let limits = Limits {
        max_cells: 2_000_000,
        max_rows: 100_000,
        ..Limits::default()
    };
    if let Ok(grids) = workbook(bytes, limits) {
        for g in &grids {
            if let Some(k) = import::detect(g) {
                let _ = import::read(k, g);
            }
        }
    }
}

/// The package's parts, to mutate the XML inside a well-formed zip.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().to_string(), v)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (n, v) in parts {
        z.start_file(n.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(v).unwrap();
    }
    z.finish().unwrap().into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn truncated_files(cut in 0usize..100_000) {
        let s = seed();
        import_never_panics(&s[..cut.min(s.len())]);
    }

    #[test]
    fn flipped_bytes(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16)) {
        let mut b = seed().to_vec();
        for (at, v) in flips {
            let i = at.index(b.len());
            b[i] ^= v | 1;
        }
        import_never_panics(&b);
    }

    /// Damage inside a valid zip: the XML of a part truncated, spliced or given
    /// random bytes, so the XML and cell parsers themselves are exercised.
    #[test]
    fn damaged_xml_in_a_valid_package(
        part in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        len in 0usize..64,
        junk in prop::collection::vec(any::<u8>(), 0..32),
        truncate in any::<bool>(),
    ) {
        let mut ps = parts(seed());
        let xml: Vec<usize> = ps.iter().enumerate().filter(|(_, (n, _))| n.ends_with(".xml")).map(|(i, _)| i).collect();
        let k = xml[part.index(xml.len())];
        let v = &mut ps[k].1;
        let i = at.index(v.len());
        if truncate {
            v.truncate(i);
        } else {
            let end = (i + len).min(v.len());
            v.splice(i..end, junk);
        }
        import_never_panics(&rezip(&ps));
    }

    /// Cells of every kind in a sheet's grid: the import rules never panic on them.
    #[test]
    fn any_grid(rows in prop::collection::vec(prop::collection::vec(cell(), 0..12), 0..24)) {
        let mut g = duban_domain::sheet::Grid { name: "Sheet1".into(), rows, merged: vec![] };
        g.rows.insert(0, ["项目代码", "填报年月", "本月完成投资", "形象进度（%）", "是否开工", "实际开工时间"]
            .iter().map(|s| Cell::Text((*s).into())).collect());
        for k in Kind::ALL {
            let _ = import::read(k, &g);
        }
    }
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Empty),
        any::<f64>().prop_map(Cell::Number),
        (-1e6f64..3e6).prop_map(Cell::Date),
        any::<bool>().prop_map(Cell::Bool),
        "[#A-Z/0!?]{1,8}".prop_map(Cell::Error),
        "\\PC{0,12}".prop_map(Cell::Text),
        "(20[0-9]{2})[-/.年]([0-9]{1,2})[-/.月]?([0-9]{0,2})日?".prop_map(Cell::Text),
        "[0-9０-９]{1,6}([.．][0-9]{0,6})?(万元|亿元|%)?".prop_map(Cell::Text),
    ]
}
