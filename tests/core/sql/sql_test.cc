// kq_topic tables, pushdown, the --table view and kq's SQL functions, over a
// real log directory written by LogProducer.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "client/producer.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "sql/scan_bounds.h"
#include "sql/topic_database.h"
#include "support/log_helpers.h"

namespace kq::sql {
namespace {

using testing::TempDir;

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kT0 = 1793491200000;  // 2026-11-01T00:00:00Z

struct Fixture {
  TempDir tmp;
  io::Env* env = io::Env::Default();

  log::LogDir Dir() {
    auto dir = log::LogDir::Open(env, tmp.path(), true);
    REQUIRE(dir.ok());
    return std::move(*dir);
  }

  // `count` records in `topic`, one per `step_ms` from kT0, keys "k<i % keys>",
  // values {"n":i}, into `partitions` partitions round robin.
  void Produce(const std::string& topic, int count, int64_t step_ms, int partitions = 1,
               int keys = 10, log::TopicConfig config = {}) {
    client::ProducerOptions options;
    options.env = env;
    options.partitions = partitions;
    options.create_config = config;
    options.batch_bytes = 4096;
    options.flush = log::FlushPolicy{log::FlushPolicy::Kind::kOs};
    auto producer = client::LogProducer::Open(Dir(), topic, options);
    REQUIRE(producer.ok());
    for (int i = 0; i < count; ++i) {
      std::string key = "k" + std::to_string(i % keys);
      std::string value = "{\"n\":" + std::to_string(i) + "}";
      client::ProducerRecord r{
          .key = key, .value = value, .timestamp = kT0 + i * step_ms, .partition = i % partitions};
      REQUIRE((*producer)->Add(r).ok());
    }
    REQUIRE((*producer)->Close().ok());
  }

  void ProduceOne(const std::string& topic, std::optional<std::string_view> key,
                  std::optional<std::string_view> value, int64_t ts = kT0,
                  std::span<const format::HeaderView> headers = {}) {
    client::ProducerOptions options;
    options.env = env;
    options.flush = log::FlushPolicy{log::FlushPolicy::Kind::kOs};
    auto producer = client::LogProducer::Open(Dir(), topic, options);
    REQUIRE(producer.ok());
    REQUIRE(
        (*producer)->Add({.key = key, .value = value, .headers = headers, .timestamp = ts}).ok());
    REQUIRE((*producer)->Close().ok());
  }

  std::unique_ptr<TopicDatabase> Open() {
    auto db = TopicDatabase::Open({.env = env, .dir = tmp.path(), .read_bytes = 16 * 1024});
    REQUIRE_MESSAGE(db.ok(), db.status().ToString());
    return std::move(*db);
  }
};

// Runs `sql` and returns its rows, each a '|'-joined line of the values as
// text ("NULL" for NULL, "x'..'" for a blob).
std::vector<std::string> Query(TopicDatabase& db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db.db(), sql.c_str(), -1, &stmt, nullptr);
  REQUIRE_MESSAGE(rc == SQLITE_OK, db.ErrorMessage());
  std::vector<std::string> rows;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      if (i > 0) row += '|';
      switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_NULL:
          row += "NULL";
          break;
        case SQLITE_BLOB: {
          row += "x'";
          const auto* b = static_cast<const unsigned char*>(sqlite3_column_blob(stmt, i));
          for (int j = 0; j < sqlite3_column_bytes(stmt, i); ++j) {
            row += fmt::format("{:02x}", b[j]);
          }
          row += "'";
          break;
        }
        default:
          row += reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      }
    }
    rows.push_back(row);
  }
  std::string error = rc == SQLITE_DONE ? "" : db.ErrorMessage();
  sqlite3_finalize(stmt);
  REQUIRE_MESSAGE(rc == SQLITE_DONE, error);
  return rows;
}

std::string One(TopicDatabase& db, const std::string& sql) {
  auto rows = Query(db, sql);
  REQUIRE(rows.size() == 1);
  return rows[0];
}

TEST_CASE("ScanBounds folds integer and real comparisons into inclusive ranges") {
  Range r;
  r.Narrow(BoundOp::kGt, int64_t{10});
  r.Narrow(BoundOp::kLt, int64_t{20});
  CHECK(r.min == 11);
  CHECK(r.max == 19);
  Range f;
  f.Narrow(BoundOp::kGe, 2.5);
  f.Narrow(BoundOp::kLe, 7.5);
  CHECK(f.min == 3);
  CHECK(f.max == 7);
  Range e;
  e.Narrow(BoundOp::kEq, 2.5);
  CHECK(e.empty());
  Range top;
  top.Narrow(BoundOp::kGt, std::numeric_limits<int64_t>::max());
  CHECK(top.empty());
  Range big;
  big.Narrow(BoundOp::kLt, 1e30);
  CHECK(!big.bounded_above());
}

TEST_CASE("every record is a row: columns, NULL keys and values, blobs, headers") {
  Fixture f;
  const format::HeaderView headers[] = {{"trace", "abc"}, {"flag", std::nullopt}};
  f.ProduceOne("t", "k1", "{\"amount\": 5}", kT0, headers);
  f.ProduceOne("t", std::nullopt, "plain", kT0 + 1);
  f.ProduceOne("t", "k2", std::nullopt, kT0 + 2);
  f.ProduceOne("t", "k3", std::string_view("\xff\x00", 2), kT0 + 3);
  auto db = f.Open();
  auto rows = Query(*db,
                    "SELECT partition, offset, ts, key, value, headers, value_json, "
                    "typeof(value) FROM t");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] ==
        "0|0|1793491200000|k1|{\"amount\": 5}|[\"trace\",\"abc\",\"flag\",null]|"
        "{\"amount\": 5}|text");
  CHECK(rows[1] == "0|1|1793491200001|NULL|plain|[]|NULL|text");
  CHECK(rows[2] == "0|2|1793491200002|k2|NULL|[]|NULL|null");
  CHECK(rows[3] == "0|3|1793491200003|k3|x'ff00'|[]|NULL|blob");
  CHECK(One(*db, "SELECT json_extract(value, '$.amount') FROM t WHERE offset = 0") == "5");
}

TEST_CASE("partition = and IN read only those partitions") {
  Fixture f;
  f.Produce("p", 300, 1000, 3);
  auto db = f.Open();
  CHECK(One(*db, "SELECT count(*) FROM p") == "300");
  db->ResetBytesRead();
  CHECK(One(*db, "SELECT count(*) FROM p WHERE partition = 1") == "100");
  const uint64_t one = db->bytes_read();
  CHECK(One(*db,
            "SELECT count(*), min(partition), max(partition) FROM p WHERE partition IN "
            "(0, 2)") == "200|0|2");
  CHECK(One(*db, "SELECT count(*) FROM p WHERE partition = 7") == "0");
  CHECK(One(*db, "SELECT count(*) FROM p WHERE partition = '1'") == "100");
  db->ResetBytesRead();
  CHECK(One(*db, "SELECT count(*) FROM p") == "300");
  CHECK(one * 2 < db->bytes_read());
}

TEST_CASE("offset ranges keep their edges") {
  Fixture f;
  f.Produce("o", 20000, 1000);
  auto db = f.Open();
  CHECK(One(*db,
            "SELECT count(*), min(offset), max(offset) FROM o WHERE offset BETWEEN 100 AND "
            "199") == "100|100|199");
  CHECK(One(*db,
            "SELECT count(*), min(offset), max(offset) FROM o WHERE offset > 100 AND "
            "offset < 200") == "99|101|199");
  CHECK(One(*db, "SELECT count(*) FROM o WHERE offset = 19999") == "1");
  CHECK(One(*db, "SELECT count(*) FROM o WHERE offset >= 19999") == "1");
  CHECK(One(*db, "SELECT count(*) FROM o WHERE offset > 19999") == "0");
  CHECK(One(*db, "SELECT count(*) FROM o WHERE offset IN (0, 5, 19999, 50000)") == "3");
  CHECK(One(*db, "SELECT count(*) FROM o WHERE offset <= 0") == "1");
  CHECK(One(*db, "SELECT count(*) FROM o WHERE offset > 10.5 AND offset < 12.5") == "2");
  CHECK(db->scans().back() == "o: partition all offset [11..12] ts all");
  db->ResetBytesRead();
  CHECK(One(*db, "SELECT count(*) FROM o WHERE offset BETWEEN 500 AND 509") == "10");
  const uint64_t few = db->bytes_read();
  db->ResetBytesRead();
  CHECK(One(*db, "SELECT count(*) FROM o") == "20000");
  MESSAGE("ten offsets of 20000 read ", few, " of ", db->bytes_read(), " bytes");
  CHECK(few * 10 < db->bytes_read());
}

TEST_CASE("ts ranges start at the time index and end past the range, edges included") {
  Fixture f;
  // 48 hours, one record every 10 s: 17280 records.
  f.Produce("day", 17280, 10 * 1000);
  auto db = f.Open();
  const int64_t from = kT0 + 24 * kHour;
  const int64_t to = from + kHour;
  // Records lie exactly on both edges.
  CHECK(One(*db, fmt::format("SELECT count(*), min(ts) = {0}, max(ts) = {1} FROM day WHERE ts "
                             ">= {0} AND ts <= {1}",
                             from, to)) == "361|1|1");
  CHECK(One(*db, fmt::format("SELECT count(*) FROM day WHERE ts > {} AND ts < {}", from, to)) ==
        "359");
  CHECK(One(*db, fmt::format("SELECT count(*) FROM day WHERE ts = {}", from)) == "1");
  CHECK(One(*db, fmt::format("SELECT count(*) FROM day WHERE ts >= {}", kT0 + 17279 * 10000)) ==
        "1");
  CHECK(One(*db, fmt::format("SELECT count(*) FROM day WHERE ts < {}", kT0 + 10000)) == "1");
  db->ResetBytesRead();
  CHECK(One(*db, fmt::format("SELECT count(*) FROM day WHERE ts >= {} AND ts < {}", from, to)) ==
        "360");
  const uint64_t hour = db->bytes_read();
  db->ResetBytesRead();
  CHECK(One(*db, "SELECT count(*) FROM day") == "17280");
  const uint64_t all = db->bytes_read();
  MESSAGE("one hour of 48 read ", hour, " of ", all, " bytes");
  CHECK(hour * 10 < all);
}

TEST_CASE("--table: the latest value per key, tombstones and null keys left out") {
  Fixture f;
  log::TopicConfig compacted;
  REQUIRE(compacted.Set("cleanup.policy", "compact").ok());
  f.ProduceOne("customers", "c1", "{\"name\":\"ann\"}");
  f.ProduceOne("customers", "c2", "{\"name\":\"bob\"}");
  f.ProduceOne("customers", "c1", "{\"name\":\"ann2\"}");
  f.ProduceOne("customers", "c2", std::nullopt);
  f.ProduceOne("customers", "c3", "{\"name\":\"cy\"}");
  f.ProduceOne("orders", "c1", "{\"amount\":3}");
  f.ProduceOne("orders", "c2", "{\"amount\":4}");
  f.ProduceOne("orders", "c3", "{\"amount\":5}");
  auto db = f.Open();
  REQUIRE(db->AddTableView("customers").ok());
  CHECK(Query(*db, "SELECT key, json_extract(value, '$.name') FROM customers ORDER BY key") ==
        std::vector<std::string>{"c1|ann2", "c3|cy"});
  CHECK(One(*db, "SELECT count(*) FROM main.customers") == "5");
  CHECK(Query(*db,
              "SELECT o.key, json_extract(c.value, '$.name'), json_extract(o.value, '$.amount') "
              "FROM orders o LEFT JOIN customers c ON c.key = o.key ORDER BY o.offset") ==
        std::vector<std::string>{"c1|ann2|3", "c2|NULL|4", "c3|cy|5"});
  Status missing = db->AddTableView("customer");
  CHECK(missing.IsNotFound());
  CHECK(missing.message().find("did you mean 'customers'") != std::string::npos);
}

TEST_CASE("time helpers and windows") {
  Fixture f;
  f.Produce("w", 10, 30 * 1000);  // 0s, 30s, ..., 270s
  auto db = f.Open();
  CHECK(One(*db, "SELECT ms('1h'), ms('500ms'), ms('2d'), ms(NULL)") ==
        "3600000|500|172800000|NULL");
  CHECK(One(*db, "SELECT iso(1793491200250)") == "2026-11-01T00:00:00.250Z");
  CHECK(One(*db, "SELECT time_ms('2026-11-01T02:00:00+02:00')") == "1793491200000");
  CHECK(One(*db, "SELECT now_ms() - time_ms('-1h') BETWEEN 3600000 AND 3601000") == "1");
  CHECK(Query(*db, "SELECT window_start(ts, '1m') - 1793491200000, count(*) FROM w GROUP BY 1") ==
        std::vector<std::string>{"0|2", "60000|2", "120000|2", "180000|2", "240000|2"});
  CHECK(Query(*db,
              "SELECT h.window_start - 1793491200000, count(*) FROM w, "
              "hopping_windows(w.ts, '2m', '1m') h GROUP BY 1") ==
        std::vector<std::string>{"-60000|2", "0|4", "60000|4", "120000|4", "180000|4", "240000|2"});
  sqlite3_stmt* stmt = nullptr;
  CHECK(sqlite3_prepare_v2(db->db(), "SELECT ms('1x')", -1, &stmt, nullptr) == SQLITE_OK);
  CHECK(sqlite3_step(stmt) == SQLITE_ERROR);
  CHECK(std::string(sqlite3_errmsg(db->db())).find("ms(): '1x' is not a duration") !=
        std::string::npos);
  sqlite3_finalize(stmt);
}

TEST_CASE("a missing topic is named, with the closest one") {
  Fixture f;
  f.ProduceOne("orders", "a", "b");
  f.ProduceOne("page-views", "a", "b");
  auto db = f.Open();
  CHECK(One(*db, "SELECT count(*) FROM \"page-views\"") == "1");
  sqlite3_stmt* stmt = nullptr;
  CHECK(sqlite3_prepare_v2(db->db(), "SELECT * FROM ordres", -1, &stmt, nullptr) != SQLITE_OK);
  CHECK(db->ErrorMessage().find("no such table: ordres (no topic 'ordres' in") !=
        std::string::npos);
  CHECK(db->ErrorMessage().find("did you mean 'orders'?") != std::string::npos);
}

TEST_CASE("a directory that is not a log directory is NotFound") {
  TempDir tmp;
  auto db = TopicDatabase::Open({.env = io::Env::Default(), .dir = tmp.path() + "/none"});
  CHECK(db.status().IsNotFound());
}

}  // namespace
}  // namespace kq::sql
