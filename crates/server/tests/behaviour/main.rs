//! The server's behaviour, end to end over HTTP (and through the use cases where a test
//! needs to reach under the API), on SQLite and on PostgreSQL: one test binary, one
//! module per area, sharing the helpers of `duban_testkit` (start the real server on a
//! random port, sign users in, seed a database).

mod access;
mod analytics;
mod api;
mod assessments;
mod backup;
mod bad_input;
mod bulletins;
mod channels;
mod contract;
mod day_one;
mod events;
mod exports;
mod imports;
mod instances;
mod oc4ids;
mod one_truth;
mod operate;
mod registry;
mod routine;
mod setup;
mod sign_in;
mod trust;
mod unit_of_work;
mod workflows;
