#include "server/server_config.h"

#include <doctest/doctest.h>

namespace kq::server {

TEST_CASE("server config: Kafka's defaults") {
  ServerConfig c;
  CHECK(c.listener().host == "127.0.0.1");
  CHECK(c.listener().port == 9092);
  CHECK(c.advertised().ToString() == "127.0.0.1:9092");
  CHECK(c.GetInt("num.partitions") == 1);
  CHECK(c.GetInt("message.max.bytes") == 1048588);
  CHECK(c.GetBool("auto.create.topics.enable"));
  CHECK_FALSE(c.IsSet("num.partitions"));
}

TEST_CASE("server config: an unknown name names the closest known one") {
  ServerConfig c;
  Status s = c.Set("num.partition", "3");
  REQUIRE(s.IsInvalidArgument());
  CHECK(s.message() == "unknown config 'num.partition'; did you mean 'num.partitions'?");
  s = c.Set("auto.create.topic.enable", "false");
  CHECK(s.message().find("'auto.create.topics.enable'") != std::string::npos);
}

TEST_CASE("server config: values are checked by kind and range") {
  ServerConfig c;
  CHECK(c.Set("num.partitions", "abc").message() ==
        "config num.partitions: 'abc' is not an integer");
  CHECK(c.Set("num.partitions", "0").IsInvalidArgument());
  CHECK(c.Set("num.partitions", "3x").IsInvalidArgument());
  CHECK(c.Set("log.cleaner.enable", "yes").message() ==
        "config log.cleaner.enable: 'yes' is not true or false");
  CHECK(c.Set("default.replication.factor", "3").IsInvalidArgument());
  CHECK(c.Set("listeners", "PLAINTEXT://a:1,PLAINTEXT://b:2").IsInvalidArgument());
  CHECK(c.Set("listeners", "SSL://a:9093").message().find("TLS terminator") != std::string::npos);
  CHECK(c.Set("listeners", "localhost:70000").IsInvalidArgument());
  // A failed Set changes nothing.
  CHECK(c.GetInt("num.partitions") == 1);
  REQUIRE(c.Set("num.partitions", " 6 ").ok());
  CHECK(c.GetInt("num.partitions") == 6);
  CHECK(c.IsSet("num.partitions"));
}

TEST_CASE("server config: listeners in Kafka's forms") {
  auto p = ParseListener("PLAINTEXT://0.0.0.0:19092");
  REQUIRE(p.ok());
  CHECK(p->host == "0.0.0.0");
  CHECK(p->port == 19092);
  p = ParseListener("[::1]:9092");
  REQUIRE(p.ok());
  CHECK(p->host == "::1");
  CHECK(p->ToString() == "[::1]:9092");
  p = ParseListener(":9092");  // every interface, as Kafka reads it
  REQUIRE(p.ok());
  CHECK(p->host == "0.0.0.0");
  ServerConfig c;
  REQUIRE(c.Set("listeners", "PLAINTEXT://0.0.0.0:9093").ok());
  CHECK(c.advertised().ToString() == "127.0.0.1:9093");  // never the wildcard
  REQUIRE(c.Set("advertised.listeners", "PLAINTEXT://db1:9093").ok());
  CHECK(c.advertised().ToString() == "db1:9093");
}

TEST_CASE("server config: server.properties format") {
  ServerConfig c;
  std::string text =
      "# a comment\n"
      "! another\n"
      "\n"
      "num.partitions=3\n"
      "  log.cleaner.enable : false\n"
      "message.max.bytes 2000000\n"
      "listeners=PLAINTEXT://127.0.0.1:\\\n"
      "   19092\n"
      "auto.create.topics.enable=false\r\n";
  REQUIRE(c.LoadProperties(text, "server.properties").ok());
  CHECK(c.GetInt("num.partitions") == 3);
  CHECK_FALSE(c.GetBool("log.cleaner.enable"));
  CHECK(c.GetInt("message.max.bytes") == 2000000);
  CHECK(c.listener().port == 19092);
  CHECK_FALSE(c.GetBool("auto.create.topics.enable"));

  Status s = c.LoadProperties("num.partitions=2\n\nbogus.name=1\n", "x.properties");
  CHECK(s.message().rfind("x.properties:3: unknown config 'bogus.name'", 0) == 0);
  s = c.LoadProperties("a=1\\\nb\nnum.partitions=z\n", "y.properties");
  CHECK(s.message().rfind("y.properties:1:", 0) == 0);
}

}  // namespace kq::server
