// Do not change this file: it checks the orm library (label: lib).
//
// Model metadata from one fields() declaration, the SQL made from it, and create_all/drop_all.
#include <catch2/catch.hpp>

#include <pqxx/nontransaction>
#include <pqxx/result>

#include "orm/orm.hpp"
#include "test_database.hpp"
#include "test_models.hpp"

using models::Book;
using models::Everything;

namespace {

struct NoTable {
  static constexpr const char* table = "";
  int id = 0;
  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
  }
};

struct NoColumns {
  static constexpr const char* table = "nothing";
  template <class V>
  void fields(V&) {}
};

struct NoKey {
  static constexpr const char* table = "no_key";
  int id = 0;
  template <class V>
  void fields(V& v) {
    v(id, "id");
  }
};

struct Twice {
  static constexpr const char* table = "twice";
  int id = 0;
  int other = 0;
  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(other, "id");
  }
};

// fields() that list something outside the object: the library would write there when
// loading a row, so the declaration is refused.
int shelf_count = 0;
struct ListsAGlobal {
  static constexpr const char* table = "lists_a_global";
  int id = 0;
  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(shelf_count, "shelves");
  }
};
struct ListsAStatic {
  static constexpr const char* table = "lists_a_static";
  static inline std::string shared_note;
  int id = 0;
  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(shared_note, "note");
  }
};
struct Shelf {
  int books = 0;
};
struct ListsAnotherObject {
  static constexpr const char* table = "lists_another_object";
  int id = 0;
  Shelf* shelf = nullptr;
  template <class V>
  void fields(V& v) {
    static Shelf fallback;
    v(id, "id", orm::primary_key);
    v(shelf != nullptr ? shelf->books : fallback.books, "books");
  }
};

struct OtherBooks {  // a second model claiming table "books"
  static constexpr const char* table = "books";
  int id = 0;
  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
  }
};

// PostgreSQL keeps 63 bytes of a name. 64-byte names, in ASCII and in 2-byte UTF-8:
struct LongTableName {
  static constexpr const char* table =
      "books_with_a_table_name_that_goes_on_and_on_for_sixty_four_bytes";
  int id = 0;
  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
  }
};

struct LongColumnName {
  static constexpr const char* table = "long_column";
  int id = 0;
  int other = 0;
  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(other, "a_column_name_that_goes_on_and_on_and_on_for_sixty_four_bytes_xy");
  }
};

struct LongUtf8ColumnName {
  static constexpr const char* table = "long_utf8_column";
  int id = 0;
  int other = 0;
  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(other, u8"éééééééééééééééééééééééééééééééé");  // 32 x 2 bytes
  }
};

// Exactly 63 bytes each: allowed, and kept whole by the server.
struct LongestNames {
  static constexpr const char* table = u8"éééééééééééééééééééééééééééééééx";  // 31 x 2 bytes + 1
  int id = 0;
  int other = 0;
  template <class V>
  void fields(V& v) {
    v(id, "id", orm::primary_key);
    v(other, "a_column_name_that_goes_on_and_on_and_on_for_sixty_three_bytes_");
  }
};

std::vector<std::string> live_columns(orm::Database& db, const std::string& table) {
  pqxx::nontransaction tx(db.connection());
  std::vector<std::string> columns;
  for (const auto& row :
       tx.exec_params("SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || "
                      "CASE WHEN a.attnotnull THEN ' not null' ELSE '' END "
                      "FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 "
                      "AND NOT a.attisdropped ORDER BY a.attnum",
                      table)) {
    columns.push_back(row[0].as<std::string>());
  }
  return columns;
}

}  // namespace

TEST_CASE("metadata comes from the model without an instance", "[model]") {
  const orm::TableInfo& books = orm::table_info<Book>();
  CHECK(books.name == "books");
  REQUIRE(books.columns.size() == 3);
  CHECK(books.columns[0].name == "id");
  CHECK(books.columns[0].sql_type == "integer");
  CHECK(books.columns[0].primary_key);
  CHECK(books.columns[0].autoincrement);
  CHECK_FALSE(books.columns[0].nullable);
  CHECK(books.columns[1].name == "title");
  CHECK(books.columns[1].sql_type == "text");
  CHECK_FALSE(books.columns[1].nullable);
  CHECK(books.columns[2].name == "description");
  CHECK(books.columns[2].nullable);
  CHECK(books.primary_key().name == "id");
  CHECK(books.find("title") == &books.columns[1]);
  CHECK(books.find("nope") == nullptr);
  CHECK(&orm::table_info<Book>() == &books);  // computed once
}

TEST_CASE("every supported type maps to its PostgreSQL type", "[model]") {
  const auto& t = orm::table_info<Everything>();
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"id", "bigint"},
      {"small", "smallint"},
      {"number", "integer"},
      {"big", "bigint"},
      {"ratio", "real"},
      {"precise", "double precision"},
      {"flag", "boolean"},
      {"text", "text"},
      {"code", "character varying(12)"},
      {"at", "timestamp with time zone"},
      {"maybe_number", "integer"},
      {"maybe_text", "text"},
      {"maybe_at", "timestamp with time zone"},
      {"status", "text"}};
  REQUIRE(t.columns.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(t.columns[i].name == expected[i].first);
    CHECK(t.columns[i].sql_type == expected[i].second);
  }
  CHECK(t.find("code")->unique);
  CHECK(t.find("maybe_text")->nullable);
  CHECK(t.find("status")->server_default == std::optional<std::string>("'new'"));
}

TEST_CASE("column_of finds a member's column", "[model]") {
  CHECK(orm::column_of(&Book::title).name == "title");
  CHECK(orm::column_of(&Book::id).primary_key);
  CHECK(orm::column_of(&Everything::maybe_at).name == "maybe_at");
}

TEST_CASE("incomplete model declarations are explained", "[model][errors]") {
  CHECK_THROWS_WITH(orm::table_info<NoTable>(),
                    Catch::Contains("empty table name") && Catch::Contains("table = \"books\""));
  CHECK_THROWS_WITH(orm::table_info<NoColumns>(), Catch::Contains("lists no columns"));
  CHECK_THROWS_WITH(orm::table_info<NoKey>(), Catch::Contains("has no primary key"));
  CHECK_THROWS_WITH(orm::table_info<Twice>(), Catch::Contains("lists column 'id' twice"));
  CHECK_THROWS_AS(orm::table_info<NoKey>(), orm::ModelError);
}

TEST_CASE("fields() may list only the model's own members", "[model][errors][memory]") {
  CHECK_THROWS_WITH(orm::table_info<ListsAGlobal>(),
                    Catch::Contains("ListsAGlobal (table lists_a_global)") &&
                        Catch::Contains("'shelves'") &&
                        Catch::Contains("not a data member of the model"));
  CHECK_THROWS_AS(orm::table_info<ListsAStatic>(), orm::ModelError);
  CHECK_THROWS_WITH(orm::table_info<ListsAnotherObject>(), Catch::Contains("'books'"));
  // Refused every time, not only the first: nothing half-built is kept.
  CHECK_THROWS_AS(orm::table_info<ListsAGlobal>(), orm::ModelError);
}

TEST_CASE("the metadata registry keeps one model per table", "[model]") {
  orm::Metadata metadata;
  metadata.add<Book>().add<Everything>().add<Book>();
  REQUIRE(metadata.tables().size() == 2);
  CHECK(metadata.find("everything") == &orm::table_info<Everything>());
  CHECK_THROWS_WITH(metadata.add<OtherBooks>(), Catch::Contains("two models use table name"));
}

TEST_CASE("identifiers are quoted only when PostgreSQL needs it", "[schema]") {
  CHECK(orm::quote_identifier("books") == "books");
  CHECK(orm::quote_identifier("book_2") == "book_2");
  CHECK(orm::quote_identifier("Books") == "\"Books\"");
  CHECK(orm::quote_identifier("order") == "\"order\"");
  CHECK(orm::quote_identifier("user") == "\"user\"");
  CHECK(orm::quote_identifier("2fast") == "\"2fast\"");
  CHECK(orm::quote_identifier("a\"b") == "\"a\"\"b\"");
}

TEST_CASE("CREATE TABLE is readable SQL", "[schema]") {
  CHECK(orm::create_table_sql(orm::table_info<Book>()) ==
        "CREATE TABLE books (\n"
        "    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
        "    title text NOT NULL,\n"
        "    description text\n"
        ")");
  CHECK(orm::column_definition(*orm::table_info<Everything>().find("code")) ==
        "code character varying(12) NOT NULL UNIQUE");
  CHECK(orm::column_definition(*orm::table_info<Everything>().find("status")) ==
        "status text DEFAULT 'new' NOT NULL");
}

TEST_CASE("create_all makes the tables as declared; drop_all removes them", "[schema]") {
  orm::Database db(testing_support::test_database());
  orm::Metadata metadata;
  metadata.add<Book>().add<Everything>();
  orm::drop_all(db, metadata);
  orm::create_all(db, metadata);
  orm::create_all(db, metadata);  // a second call is harmless
  CHECK(live_columns(db, "books") ==
        std::vector<std::string>{"id integer not null", "title text not null", "description text"});
  CHECK(live_columns(db, "everything").size() == orm::table_info<Everything>().columns.size());

  orm::drop_all(db, metadata);
  pqxx::nontransaction tx(db.connection());
  CHECK(tx.exec1("SELECT to_regclass('books') IS NULL")[0].as<bool>());
  CHECK(tx.exec1("SELECT to_regclass('everything') IS NULL")[0].as<bool>());
}

TEST_CASE("names longer than PostgreSQL's 63 bytes are refused", "[model][errors]") {
  CHECK_THROWS_WITH(orm::table_info<LongTableName>(),
                    Catch::Contains("the table name 'books_with_a_table_name") &&
                        Catch::Contains("is 64 bytes long") && Catch::Contains("63 bytes"));
  CHECK_THROWS_WITH(orm::table_info<LongColumnName>(),
                    Catch::Contains("the column name 'a_column_name") &&
                        Catch::Contains("is 64 bytes long") && Catch::Contains("63 bytes"));
  CHECK_THROWS_WITH(orm::table_info<LongUtf8ColumnName>(), Catch::Contains("is 64 bytes long"));
  orm::Metadata metadata;
  CHECK_THROWS_AS(metadata.add<LongTableName>(), orm::ModelError);
  orm::TableInfo copy = orm::table_info<Book>();
  copy.name = std::string(64, 'b');
  CHECK_THROWS_WITH(metadata.add(copy), Catch::Contains("63 bytes"));
  copy.name = "books_copy";
  copy.columns[1].name = std::string(70, 'c');
  CHECK_THROWS_WITH(metadata.add(copy), Catch::Contains("is 70 bytes long"));
  CHECK(metadata.tables().empty());

  REQUIRE(std::string(LongestNames::table).size() == 63);
  orm::Database db(testing_support::test_database());
  metadata.add<LongestNames>();
  orm::drop_all(db, metadata);
  orm::create_all(db, metadata);
  CHECK(live_columns(db, "\"" + std::string(LongestNames::table) + "\"") ==
        std::vector<std::string>{
            "id integer not null",
            "a_column_name_that_goes_on_and_on_and_on_for_sixty_three_bytes_ integer not null"});
  orm::drop_all(db, metadata);
}

TEST_CASE("the metadata keeps its own copy of a table given to add()", "[model][memory]") {
  orm::Metadata metadata;
  {
    orm::TableInfo table = orm::table_info<Book>();
    table.name = "copied_books";
    metadata.add(table);
    metadata.add(table);  // the same table again: nothing to do
  }                       // the caller's TableInfo ends here
  REQUIRE(metadata.tables().size() == 1);
  CHECK(metadata.tables()[0]->name == "copied_books");
  CHECK(metadata.find("copied_books")->columns.size() == 3);
  orm::Metadata copy = metadata;
  metadata = orm::Metadata();
  CHECK(copy.find("copied_books")->primary_key().name == "id");
}
