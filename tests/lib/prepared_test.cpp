// Do not change this file: it checks the orm library (label: lib).
//
// The statements a session prepares follow schema changes made through the library: raw SQL,
// create_all / drop_all, migrations, and Database::forget_prepared_statements for the rest.
#include <catch2/catch.hpp>

#include <pqxx/nontransaction>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

namespace {

// A table whose key starts as integer and becomes bigint, as a migration would make it.
struct Counter {
  static constexpr const char* table = "counters";
  std::int64_t id = 0;
  std::string name;

  template <class Visitor>
  void fields(Visitor& v) {
    v(id, "id", orm::primary_key);
    v(name, "name");
  }
};

constexpr std::int64_t kBig = 3000000000;  // needs bigint

struct CountersFixture {
  CountersFixture() : db(testing_support::test_database()) {
    orm::Session session(db);
    session.execute("DROP TABLE IF EXISTS counters");
    session.execute("CREATE TABLE counters (id integer PRIMARY KEY, name text NOT NULL)");
  }
  // Prepares get, insert and update with the integer key, on this connection.
  void use_integer_key(orm::Session& session) {
    Counter one{1, "one"};
    session.add(one);
    one.name = "uno";
    session.update(one);
    session.commit();
    REQUIRE(session.get<Counter>(1)->name == "uno");
  }
  // What fails with statements still prepared for the integer key: 3000000000 is out of range
  // for integer (SQLSTATE 22003), and a plan may not change its result type (0A000).
  void use_bigint_key(orm::Session& session) {
    Counter big{kBig, "big"};
    session.add(big);
    big.name = "grande";
    session.update(big);
    session.commit();
    CHECK(session.get<Counter>(kBig)->name == "grande");
    CHECK(session.all<Counter>().size() == 2);
  }
  orm::Database db;
};

}  // namespace

TEST_CASE_METHOD(CountersFixture, "raw SQL that alters a column re-prepares the statements",
                 "[session][prepared]") {
  orm::Session session(db);
  use_integer_key(session);
  session.execute("ALTER TABLE counters ALTER COLUMN id TYPE bigint");
  use_bigint_key(session);
}

TEST_CASE_METHOD(CountersFixture, "a schema change rolled back re-prepares them again",
                 "[session][prepared]") {
  orm::Session session(db);
  use_integer_key(session);
  Counter two{2, "two"};
  session.add(two);  // opens a transaction
  session.execute("ALTER TABLE counters ALTER COLUMN id TYPE bigint");
  CHECK(session.get<Counter>(2)->name == "two");  // prepared for bigint, in the transaction
  session.rollback();                             // the column is integer again
  CHECK(session.get<Counter>(1)->name == "uno");
  CHECK(session.all<Counter>().size() == 1);
}

TEST_CASE_METHOD(CountersFixture, "DDL on the raw connection: forget_prepared_statements",
                 "[session][prepared]") {
  orm::Session session(db);
  use_integer_key(session);
  {
    pqxx::nontransaction tx(db.connection());
    tx.exec0("ALTER TABLE counters ALTER COLUMN id TYPE bigint");
  }
  CHECK_THROWS_AS(session.get<Counter>(kBig), orm::DatabaseError);  // still the integer plan
  db.forget_prepared_statements();
  use_bigint_key(session);
}

TEST_CASE_METHOD(CountersFixture, "a migration applied on the same connection re-prepares them",
                 "[session][prepared][migrate]") {
  const auto folder = std::filesystem::path(testing_support::scratch_directory()) / "prepared";
  std::filesystem::remove_all(folder);
  orm::Config config;
  config.database_url = db.url().uri_with_password();
  orm::App app{config};
  std::ostringstream out;
  orm::migrate::Migrations migrations(app, out, {folder / "migrations", "prepared_test"});
  migrations.init();
  const auto file = migrations.revision("counters get a bigint key");
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string marker = "-- === upgrade ===\n";
  REQUIRE(text.find(marker) != std::string::npos);
  text.insert(text.find(marker) + marker.size(),
              "ALTER TABLE counters ALTER COLUMN id TYPE bigint;\n");
  std::ofstream(file) << text;

  orm::Session session(app.db());
  use_integer_key(session);
  migrations.upgrade();
  use_bigint_key(session);
}

TEST_CASE_METHOD(CountersFixture, "create_all and drop_all re-prepare them",
                 "[session][prepared]") {
  orm::Session session(db);
  use_integer_key(session);
  orm::Metadata metadata;
  metadata.add<Counter>();
  orm::drop_all(db, metadata);
  orm::create_all(db, metadata);  // id is bigint now, as the model says
  Counter one{1, "one"};
  session.add(one);
  use_bigint_key(session);
}
