#!/usr/bin/python3
"""Generates the Kafka message codecs (C++) from the JSON schemas.

Reads core/protocol/schemas/*.json (Apache Kafka's message definition format)
and writes, for each API, core/protocol/messages/<api>.h/.cc holding the
request and response structs with Decode/Encode, plus messages/api_keys.h
(the ApiKey enum and supported-version table) and messages/all.h (a visitor
over every message type). For the tests it writes
tests/core/protocol/generated_samples.h (non-default sample values).

The output is committed, so building kq never needs Python; a CTest test
reruns this script and diffs. Python 3 standard library only.

Usage: generate.py [--core-out DIR] [--tests-out DIR] [--clang-format PATH]
"""

import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOCOL = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(PROTOCOL))
SCHEMAS = os.path.join(PROTOCOL, "schemas")

# The versions the codecs support, when narrower than the schema's
# validVersions. Everything else: the schema's whole range.
MAX_VERSION = {
    "ApiVersions": 3,
}
# Not generated: the headers have hand-written codecs (header.cc), because
# ClientId keeps its int16 length in flexible versions.
SKIP = {"RequestHeader", "ResponseHeader"}

KEYWORDS = {"default", "delete", "new", "class", "operator", "template", "register", "public",
            "private", "protected", "namespace", "union", "struct", "return", "switch", "case"}

PRIMITIVES = {
    "int8": ("int8_t", "Int8", 1),
    "int16": ("int16_t", "Int16", 2),
    "uint16": ("uint16_t", "Uint16", 2),
    "int32": ("int32_t", "Int32", 4),
    "int64": ("int64_t", "Int64", 8),
    "float64": ("double", "Float64", 8),
    "bool": ("bool", "Bool", 1),
    "uuid": ("Uuid", "Uuid", 16),
}
INF = 0x7FFF


def load_json(path):
    with open(path, encoding="utf-8") as f:
        text = "".join(line for line in f if not line.lstrip().startswith("//"))
    return json.loads(text)


def parse_versions(s):
    """'0+', '1-3', '2', 'none' -> (lo, hi) or None."""
    if s is None or s == "none":
        return None
    s = s.strip()
    if s.endswith("+"):
        return (int(s[:-1]), INF)
    if "-" in s:
        a, b = s.split("-")
        return (int(a), int(b))
    return (int(s), int(s))


def in_range(v, r):
    return r is not None and r[0] <= v <= r[1]


def snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = s.lower()
    return s + "_" if s in KEYWORDS else s


def cond_expr(r, lo, hi, var="version"):
    """C++ condition for `var` in r, given that var is known to lie in [lo, hi]."""
    if r is None:
        return "false"
    parts = []
    if r[0] > lo:
        parts.append(f"{var} >= {r[0]}")
    if r[1] < hi:
        parts.append(f"{var} <= {r[1]}")
    return " && ".join(parts) if parts else "true"


class Field:
    def __init__(self, d, msg):
        self.name = d["name"]
        self.cname = snake(self.name)
        self.type = d["type"]
        self.versions = parse_versions(d.get("versions"))
        self.nullable = parse_versions(d.get("nullableVersions"))
        self.tagged = parse_versions(d.get("taggedVersions"))
        self.tag = d.get("tag")
        self.default = None if d.get("default") is None else str(d.get("default")).lower() if isinstance(d.get("default"), bool) else str(d.get("default"))
        self.compact_override = "flexibleVersions" in d
        self.flexible = parse_versions(d.get("flexibleVersions"))
        self.struct = None  # Struct for struct and []struct types
        self.is_array = self.type.startswith("[]")
        self.elem = self.type[2:] if self.is_array else self.type
        if self.elem not in PRIMITIVES and self.elem not in ("string", "bytes", "records"):
            self.struct = msg.struct_for(self.elem, d.get("fields"), d.get("versions"))

    @property
    def nullable_any(self):
        return self.nullable is not None


class Struct:
    def __init__(self, name, cname, fields_json, msg):
        self.name = name
        self.cname = cname
        self.fields = [Field(f, msg) for f in fields_json]
        msg.structs.append(self)  # after its children: declared before use


class Message:
    def __init__(self, schema, global_names):
        self.schema = schema
        self.name = schema["name"]
        self.api_key = schema["apiKey"]
        self.kind = schema["type"]
        self.valid = parse_versions(schema["validVersions"])
        self.flexible = parse_versions(schema.get("flexibleVersions", "none"))
        api = self.api_name
        hi = min(self.valid[1], MAX_VERSION.get(api, INF))
        self.lo, self.hi = self.valid[0], hi
        self.global_names = global_names
        self.structs = []
        self.defined = {}
        self.common = {c["name"]: c for c in schema.get("commonStructs", [])}
        self.top = Struct(self.name, self.name, schema["fields"], self)

    @property
    def api_name(self):
        return re.sub(r"(Request|Response)$", "", self.name)

    def type_name(self, name):
        if name.startswith(self.name) or global_count(self.global_names, name) <= 1:
            return name
        return self.name + name

    def struct_for(self, name, fields, versions):
        if name in self.defined:
            return self.defined[name]
        if fields is None:
            if name not in self.common:
                raise SystemExit(f"{self.name}: struct type {name} has no fields")
            fields = self.common[name]["fields"]
        s = Struct(name, self.type_name(name), fields, self)
        self.defined[name] = s
        return s


def global_count(names, name):
    return len(names.get(name, ()))


def collect_struct_names(schema, out):
    def walk(fields):
        for f in fields:
            t = f["type"][2:] if f["type"].startswith("[]") else f["type"]
            if "fields" in f:
                out.setdefault(t, set()).add(schema["name"])
                walk(f["fields"])
    walk(schema["fields"])
    for c in schema.get("commonStructs", []):
        out.setdefault(c["name"], set()).add(schema["name"])
        walk(c["fields"])


# --- C++ types and defaults -------------------------------------------------

def elem_cpp(f):
    if f.struct is not None:
        return f.struct.cname
    if f.elem in PRIMITIVES:
        return PRIMITIVES[f.elem][0]
    if f.elem in ("string", "bytes"):
        return "std::string"
    if f.elem == "records":
        return "Records"
    raise SystemExit(f"unknown type {f.elem}")


def field_cpp(f):
    if f.is_array:
        t = f"std::vector<{elem_cpp(f)}>"
        return f"std::optional<{t}>" if f.nullable_any else t
    if f.elem in ("string", "bytes") and f.nullable_any:
        return "std::optional<std::string>"
    return elem_cpp(f)


def int_literal(ctype, text):
    v = int(str(text), 0)
    if ctype == "int64_t":
        if v == -(2**63):
            return "INT64_MIN"
        return f"{v}LL" if abs(v) > 2**31 - 1 else str(v)
    if v == -(2**31):
        return "INT32_MIN"
    return str(v)


def field_init(f):
    """The member initializer (without '='), or None for a default-constructed member."""
    d = f.default
    if f.is_array:
        if f.nullable_any and d != "null":
            return f"std::vector<{elem_cpp(f)}>{{}}"
        return None
    if f.struct is not None or f.elem in ("uuid", "records"):
        return None
    if f.elem in ("string", "bytes"):
        if d == "null":
            return None
        if f.nullable_any:
            return f"std::string({json.dumps(d)})" if d else "std::string()"
        return json.dumps(d) if d else None
    if f.elem == "bool":
        return "true" if d == "true" else "false"
    if f.elem == "float64":
        return d or "0.0"
    return int_literal(PRIMITIVES[f.elem][0], d or "0")


# --- min sizes (for array count checks) ---------------------------------------

def min_size(f, v, msg_flex_v):
    compact = is_compact(f, msg_flex_v)
    if f.is_array:
        return 1 if compact else 4
    if f.struct is not None:
        return struct_min_size(f.struct, v, msg_flex_v)
    if f.elem in PRIMITIVES:
        return PRIMITIVES[f.elem][2]
    if f.elem == "string":
        return 1 if compact else 2
    return 1 if compact else 4


def is_compact(f, msg_flexible):
    if f.compact_override:
        return False
    return msg_flexible


def struct_min_size(s, v, flexible):
    n = 1 if flexible else 0
    for f in s.fields:
        if in_range(v, f.versions) and not (flexible and in_range(v, f.tagged)):
            n += min_size(f, v, flexible)
    return n


def struct_min_over_versions(msg, s, versions):
    """The smallest encoding of struct s over the versions that carry the field."""
    lo, hi = max(msg.lo, versions[0]), min(msg.hi, versions[1])
    return max(1, min(struct_min_size(s, v, in_range(v, msg.flexible))
                      for v in range(lo, hi + 1)))


# --- decode -----------------------------------------------------------------

class Emitter:
    def __init__(self):
        self.lines = []

    def __call__(self, line=""):
        self.lines.append(line)


def compact_var(f):
    return "false" if f.compact_override else "flexible"


def decode_value(e, msg, s, f, target, reader, nullable_now, elem=False):
    """Statements reading one value of f (or its element) into `target`."""
    label = f'"{s.cname}.{f.cname}"'
    cv = compact_var(f)
    t = f.elem
    if f.struct is not None:
        e(f"KQ_RETURN_IF_ERROR({target}.Decode({reader}, version));")
    elif t in PRIMITIVES:
        e(f"{target} = {reader}.Read{PRIMITIVES[t][1]}({label});")
    elif t in ("string", "bytes"):
        kind = "String" if t == "string" else "Bytes"
        if not elem and f.nullable_any:
            if nullable_now:
                e(f"{target} = {reader}.ReadNullable{kind}({cv}, {label});")
            else:
                e(f"{target} = {reader}.Read{kind}({cv}, {label});")
        else:
            e(f"{target} = {reader}.Read{kind}({cv}, {label});")
    elif t == "records":
        e(f"{target} = {reader}.ReadRecords({cv}, {label});")


def decode_field(e, msg, s, f, reader, lo, hi):
    label = f'"{s.cname}.{f.cname}"'
    if not f.is_array:
        nullable_cond = cond_expr(f.nullable, lo, hi)
        if f.elem in ("string", "bytes") and f.nullable_any and nullable_cond not in ("true", "false"):
            e(f"if ({nullable_cond}) {{")
            decode_value(e, msg, s, f, f.cname, reader, True)
            e("} else {")
            decode_value(e, msg, s, f, f.cname, reader, False)
            e("}")
        else:
            decode_value(e, msg, s, f, f.cname, reader, nullable_cond == "true")
        return
    minsz = struct_min_over_versions(msg, f.struct, f.versions) if f.struct else (
        PRIMITIVES[f.elem][2] if f.elem in PRIMITIVES else 1)
    nullable_now = cond_expr(f.nullable, lo, hi) if f.nullable_any else "false"
    e("{")
    e(f"const int32_t n = {reader}.ReadArrayCount({compact_var(f)}, {nullable_now}, {minsz}, {label});")
    e(f"if (!{reader}.ok()) return {reader}.status();")
    if f.nullable_any:
        e(f"if (n < 0) {{ {f.cname}.reset(); }} else {{")
        e(f"auto& vec = {f.cname}.emplace();")
    else:
        e("{")
        e(f"auto& vec = {f.cname};")
        e("vec.clear();")
    e("vec.reserve(std::min<int32_t>(n, kMaxReserve));")
    e("for (int32_t i = 0; i < n; ++i) {")
    if f.struct is not None:
        e(f"KQ_RETURN_IF_ERROR(vec.emplace_back().Decode({reader}, version));")
    else:
        e("auto& item = vec.emplace_back();")
        decode_value(e, msg, s, f, "item", reader, False, elem=True)
        e(f"if (!{reader}.ok()) return {reader}.status();")
    e("}")
    e("}")
    e("}")


def emit_decode(e, msg, s):
    lo, hi = msg.lo, msg.hi
    e(f"Status {s.cname}::Decode(WireReader& r, int16_t version) {{")
    if s is msg.top:
        e(f"if (version < kMinVersion || version > kMaxVersion) {{")
        e(f'return Status::NotSupported(fmt::format("{msg.name} version {{}} is not supported ({{}}-{{}})", '
          f"version, kMinVersion, kMaxVersion));")
        e("}")
    e("// Fields absent in this version must read as their defaults, also when")
    e("// the object is reused.")
    e(f"*this = {s.cname}();")
    e(f"const bool flexible = {cond_expr(msg.flexible, lo, hi)};")
    e("(void)flexible;")
    e("(void)version;")
    tagged = [f for f in s.fields if f.tagged is not None]
    for f in s.fields:
        if not f.versions or f.versions[0] > hi or f.versions[1] < lo:
            continue
        c = cond_expr(f.versions, lo, hi)
        if f.tagged is not None:
            tc = cond_expr(f.tagged, lo, hi)
            # Tagged in some versions only: positional in the others.
            if (f.tagged[0] <= f.versions[0] and f.tagged[1] >= f.versions[1]):
                continue
            c = f"({c}) && !({tc})"
        if c != "true":
            e(f"if ({c}) {{")
        decode_field(e, msg, s, f, "r", lo, hi)
        if c != "true":
            e("}")
    e("if (flexible) {")
    e(f'const uint32_t tags = r.ReadTagCount("{s.cname} tagged fields");')
    e("for (uint32_t t = 0; t < tags && r.ok(); ++t) {")
    e(f'const uint32_t tag = r.ReadUnsignedVarint("{s.cname} tag");')
    e(f'const uint32_t size = r.ReadUnsignedVarint("{s.cname} tag size");')
    e(f'const std::string_view raw = r.ReadRaw(size, "{s.cname} tagged field");')
    e("if (!r.ok()) break;")
    if tagged:
        e("switch (tag) {")
        for f in sorted(tagged, key=lambda f: f.tag):
            tc = cond_expr(f.tagged, lo, hi)
            e(f"case {f.tag}:")
            e(f"if ({tc}) {{")
            e("WireReader sub(raw, r.absolute_position() - size);")
            decode_field(e, msg, s, f, "sub", lo, hi)
            e("KQ_RETURN_IF_ERROR(sub.status());")
            e("}")
            e("break;")
        e("default:")
        e("break;  // unknown tags are skipped")
        e("}")
    else:
        e("(void)tag;  // no known tags: every one is skipped")
        e("(void)raw;")
    e("}")
    e("}")
    e("return r.status();")
    e("}")
    e()


# --- encode -----------------------------------------------------------------

def encode_value(e, f, expr, nullable_now, elem=False):
    cv = compact_var(f)
    t = f.elem
    if f.struct is not None:
        e(f"{expr}.Encode(w, version);")
    elif t in PRIMITIVES:
        e(f"w.Write{PRIMITIVES[t][1]}({expr});")
    elif t in ("string", "bytes"):
        kind = "String" if t == "string" else "Bytes"
        if not elem and f.nullable_any:
            if nullable_now == "true":
                e(f"w.WriteNullable{kind}({expr}, {cv});")
            elif nullable_now == "false":
                e(f"w.Write{kind}({expr} ? std::string_view(*{expr}) : std::string_view(), {cv});")
            else:
                e(f"if ({nullable_now}) {{")
                e(f"w.WriteNullable{kind}({expr}, {cv});")
                e("} else {")
                e(f"w.Write{kind}({expr} ? std::string_view(*{expr}) : std::string_view(), {cv});")
                e("}")
        else:
            e(f"w.Write{kind}({expr}, {cv});")
    elif t == "records":
        e(f"w.WriteRecords({expr}, {cv});")


def encode_field(e, msg, f, lo, hi):
    nullable_now = cond_expr(f.nullable, lo, hi) if f.nullable_any else "false"
    if not f.is_array:
        encode_value(e, f, f.cname, nullable_now)
        return
    cv = compact_var(f)
    if f.nullable_any:
        e(f"if (!{f.cname}) {{")
        e(f"w.WriteArrayCount({nullable_now} ? -1 : 0, {cv});")
        e("} else {")
        e(f"w.WriteArrayCount(static_cast<int64_t>({f.cname}->size()), {cv});")
        e(f"for (const auto& item : *{f.cname}) {{")
    else:
        e("{")
        e(f"w.WriteArrayCount(static_cast<int64_t>({f.cname}.size()), {cv});")
        e(f"for (const auto& item : {f.cname}) {{")
    encode_value(e, f, "item", "false", elem=True)
    e("}")
    e("}")


def default_check(f):
    """C++ expression: true when f differs from its default (tagged fields are written only then)."""
    init = field_init(f)
    if init is None:
        return f"{f.cname} != decltype({f.cname}){{}}"
    return f"{f.cname} != decltype({f.cname})({init})"


def emit_encode(e, msg, s):
    lo, hi = msg.lo, msg.hi
    e(f"void {s.cname}::Encode(WireWriter& w, int16_t version) const {{")
    e("(void)version;")
    e(f"const bool flexible = {cond_expr(msg.flexible, lo, hi)};")
    e("(void)flexible;")
    tagged = sorted([f for f in s.fields if f.tagged is not None], key=lambda f: f.tag)
    for f in s.fields:
        if not f.versions or f.versions[0] > hi or f.versions[1] < lo:
            continue
        c = cond_expr(f.versions, lo, hi)
        if f.tagged is not None:
            if f.tagged[0] <= f.versions[0] and f.tagged[1] >= f.versions[1]:
                continue
            c = f"({c}) && !({cond_expr(f.tagged, lo, hi)})"
        if c != "true":
            e(f"if ({c}) {{")
        encode_field(e, msg, f, lo, hi)
        if c != "true":
            e("}")
    e("if (flexible) {")
    if tagged:
        e("uint32_t tags = 0;")
        for f in tagged:
            e(f"const bool write_{f.cname} = ({cond_expr(f.tagged, lo, hi)}) && ({default_check(f)});")
            e(f"tags += write_{f.cname} ? 1 : 0;")
        e("w.WriteUnsignedVarint(tags);")
        for f in tagged:
            e(f"if (write_{f.cname}) {{")
            e("WireWriter field_writer;")
            e("{")
            e("WireWriter& outer = w;")
            e("(void)outer;")
            e("WireWriter& w = field_writer;")
            encode_field(e, msg, f, lo, hi)
            e("}")
            e("const std::string& bytes = field_writer.buffer();")
            e(f"w.WriteUnsignedVarint({f.tag});")
            e("w.WriteUnsignedVarint(static_cast<uint32_t>(bytes.size()));")
            e("w.WriteRaw(bytes);")
            e("}")
    else:
        e("w.WriteUnsignedVarint(0);  // no tagged fields")
    e("}")
    e("}")
    e()


# --- declarations -------------------------------------------------------------

def emit_struct_decl(e, msg, s):
    e(f"struct {s.cname} {{")
    if s is msg.top:
        e(f"static constexpr ApiKey kApiKey = ApiKey::k{msg.api_name};")
        e(f"static constexpr int16_t kMinVersion = {msg.lo};")
        e(f"static constexpr int16_t kMaxVersion = {msg.hi};")
        e(f"static constexpr bool kIsRequest = {'true' if msg.kind == 'request' else 'false'};")
        e()
    for f in s.fields:
        init = field_init(f)
        ver = f.versions
        note = "v" + (f"{ver[0]}+" if ver and ver[1] == INF else (f"{ver[0]}-{ver[1]}" if ver else "none"))
        if f.nullable:
            n = f.nullable
            note += ", nullable v" + (f"{n[0]}+" if n[1] == INF else f"{n[0]}-{n[1]}")
        if f.tagged:
            note += f", tag {f.tag}"
        decl = f"{field_cpp(f)} {f.cname}"
        if init is not None:
            decl += f" = {init}"
        e(f"{decl};  // {note}")
    e()
    e("Status Decode(WireReader& r, int16_t version);")
    e("void Encode(WireWriter& w, int16_t version) const;")
    e(f"bool operator==(const {s.cname}&) const = default;")
    e("};")
    e()


HEADER_NOTE = ("// Generated by core/protocol/gen/generate.py from core/protocol/schemas/; "
               "do not edit.\n")


def api_file(api):
    return snake(api).rstrip("_")


def emit_api_files(api, msgs, out_dir):
    base = api_file(api)
    h = Emitter()
    h(HEADER_NOTE.rstrip())
    h(f"// The {api} request and response (API key {msgs[0].api_key}): one struct per schema")
    h("// struct type, fields in snake_case. Decode reads one version from untrusted bytes")
    h("// (bounds-checked; fields absent in that version are reset to their defaults; unknown tagged")
    h("// fields are skipped); Encode writes one version (absent fields are not written, tagged")
    h("// fields only when they differ from their default). string_views in Records point")
    h("// into the decoded frame.")
    h("#pragma once")
    h()
    h("#include <cstdint>")
    h("#include <optional>")
    h("#include <string>")
    h("#include <vector>")
    h()
    h('#include "base/status.h"')
    h('#include "protocol/messages/api_keys.h"')
    h('#include "protocol/wire_reader.h"')
    h('#include "protocol/wire_types.h"')
    h('#include "protocol/wire_writer.h"')
    h()
    h("namespace kq::protocol {")
    h()
    for m in msgs:
        for s in m.structs:
            emit_struct_decl(h, m, s)
    h("}  // namespace kq::protocol")
    c = Emitter()
    c(HEADER_NOTE.rstrip())
    c(f'#include "protocol/messages/{base}.h"')
    c()
    c("#include <algorithm>")
    c()
    c("#include <fmt/format.h>")
    c()
    c("namespace kq::protocol {")
    c()
    c("namespace {")
    c("// Decoding never reserves more than this many elements up front: counts are")
    c("// checked against the bytes left, but an element in memory is larger than on")
    c("// the wire.")
    c("constexpr int32_t kMaxReserve = 1024;")
    c("}  // namespace")
    c()
    for m in msgs:
        for s in m.structs:
            emit_decode(c, m, s)
            emit_encode(c, m, s)
    c("}  // namespace kq::protocol")
    return {os.path.join(out_dir, base + ".h"): "\n".join(h.lines) + "\n",
            os.path.join(out_dir, base + ".cc"): "\n".join(c.lines) + "\n"}


def emit_api_keys(apis, out_dir):
    h = Emitter()
    h(HEADER_NOTE.rstrip())
    h("// The API keys kq's codecs know, and for each: the versions the codecs support")
    h("// and the first flexible version (from the schema's flexibleVersions; -1: none).")
    h("#pragma once")
    h()
    h("#include <array>")
    h("#include <cstdint>")
    h("#include <string_view>")
    h()
    h("namespace kq::protocol {")
    h()
    h("enum class ApiKey : int16_t {")
    for api, (key, _, _, _) in sorted(apis.items(), key=lambda kv: kv[1][0]):
        h(f"k{api} = {key},")
    h("};")
    h()
    h("struct ApiRange {")
    h("int16_t min;")
    h("int16_t max;")
    h("};")
    h()
    h("struct ApiInfo {")
    h("ApiKey key;")
    h("std::string_view name;")
    h("ApiRange supported;")
    h("int16_t first_flexible;  // -1: no flexible version")
    h("};")
    h()
    h(f"inline constexpr std::array<ApiInfo, {len(apis)}> kApiTable = {{{{")
    for api, (key, lo, hi, flex) in sorted(apis.items(), key=lambda kv: kv[1][0]):
        h(f'{{ApiKey::k{api}, "{api}", {{{lo}, {hi}}}, {flex}}},')
    h("}};")
    h()
    h("}  // namespace kq::protocol")
    return {os.path.join(out_dir, "api_keys.h"): "\n".join(h.lines) + "\n"}


def emit_all(apis_msgs, out_dir):
    h = Emitter()
    h(HEADER_NOTE.rstrip())
    h("// Every generated message, and ForEachMessageType: calls")
    h("// f.template operator()<T>() for each request and response struct T, in API key")
    h("// order (tests, the fuzz target and dispatch tables iterate with it).")
    h("#pragma once")
    h()
    for api in sorted(apis_msgs, key=lambda a: apis_msgs[a][0].api_key):
        h(f'#include "protocol/messages/{api_file(api)}.h"')
    h()
    h("namespace kq::protocol {")
    h()
    h("template <typename F>")
    h("void ForEachMessageType(F&& f) {")
    for api in sorted(apis_msgs, key=lambda a: apis_msgs[a][0].api_key):
        for m in apis_msgs[api]:
            h(f"f.template operator()<{m.name}>();")
    h("}")
    h()
    h("}  // namespace kq::protocol")
    return {os.path.join(out_dir, "all.h"): "\n".join(h.lines) + "\n"}


# --- sample values for the tests ---------------------------------------------

def emit_samples(apis_msgs, path):
    e = Emitter()
    e(HEADER_NOTE.rstrip())
    e("// Test-only: FillSample(&m, version, nulls) sets every field present in `version`")
    e("// to a value different from its default (numbers from a running counter, two")
    e("// elements per array, tagged fields included), or with `nulls` every field that")
    e("// is nullable in that version to null. Fields absent in the version stay default,")
    e("// so Encode then Decode must give back an equal struct.")
    e("#pragma once")
    e()
    e("#include <cstdint>")
    e("#include <string>")
    e()
    e('#include "protocol/messages/all.h"')
    e()
    e("namespace kq::protocol::testing {")
    e()
    e("struct SampleCounter {")
    e("uint32_t next = 1;")
    e("uint32_t Take() { return next++; }")
    e("};")
    e()
    e("// Backing storage for Records views: static, so views stay valid.")
    e('inline constexpr std::string_view kSampleRecords[] = {"records-a", "records-bb", "records-ccc"};')
    e()
    all_structs = []
    for api in sorted(apis_msgs, key=lambda a: apis_msgs[a][0].api_key):
        for m in apis_msgs[api]:
            for s in m.structs:
                all_structs.append((m, s))
    for m, s in all_structs:
        e(f"inline void FillSample({s.cname}* m, int16_t version, bool nulls, SampleCounter& c);")
    e()
    for m, s in all_structs:
        lo, hi = m.lo, m.hi
        e(f"inline void FillSample({s.cname}* m, int16_t version, bool nulls, SampleCounter& c) {{")
        e("(void)version; (void)nulls; (void)c;")
        for f in s.fields:
            if not f.versions or f.versions[0] > hi or f.versions[1] < lo:
                continue
            vc = cond_expr(f.versions, lo, hi)
            e(f"if ({vc}) {{" if vc != "true" else "{")
            nullable_now = cond_expr(f.nullable, lo, hi) if f.nullable_any else "false"
            tgt = f"m->{f.cname}"
            if f.nullable_any and f.elem != "records":
                e(f"if (nulls && ({nullable_now})) {{ {tgt}.reset(); }} else {{")
                if f.is_array:
                    e(f"auto& v = {tgt}.emplace();")
                    tgt_v = "v"
                else:
                    tgt_v = None
            else:
                e("{")
                tgt_v = tgt if f.is_array else None
            if f.is_array:
                e(f"{tgt_v}.clear();")
                e("for (int i = 0; i < 2; ++i) {")
                e(f"auto& item = {tgt_v}.emplace_back();")
                sample_scalar(e, f, "item", True)
                e("}")
            else:
                if f.nullable_any and f.elem != "records":
                    sample_scalar(e, f, tgt, False, optional=True)
                else:
                    sample_scalar(e, f, tgt, False)
                    if f.elem == "records":
                        e(f"if (nulls && ({nullable_now})) {{ {tgt} = Records{{}}; {tgt}.is_null = true; }}")
            e("}")
            e("}")
        e("}")
        e()
    e("// A sample of message T at `version` (see above).")
    e("template <typename T>")
    e("T MakeSample(int16_t version, bool nulls) {")
    e("T m;")
    e("SampleCounter c;")
    e("FillSample(&m, version, nulls, c);")
    e("return m;")
    e("}")
    e()
    e("}  // namespace kq::protocol::testing")
    return {path: "\n".join(e.lines) + "\n"}


def sample_scalar(e, f, tgt, elem, optional=False):
    t = f.elem
    if f.struct is not None:
        e(f"FillSample(&{tgt}, version, nulls, c);")
    elif t == "bool":
        init = field_init(f)
        e(f"{tgt} = {'false' if init == 'true' else 'true'};")
    elif t in PRIMITIVES and t not in ("uuid", "float64"):
        e(f"{tgt} = static_cast<{PRIMITIVES[t][0]}>(c.Take() + 1000);")
    elif t == "float64":
        e(f"{tgt} = c.Take() + 0.5;")
    elif t == "uuid":
        e("{")
        e("const uint32_t n = c.Take();")
        e(f"for (size_t i = 0; i < 16; ++i) {tgt}.bytes[i] = static_cast<uint8_t>(n + i);")
        e("}")
    elif t in ("string", "bytes"):
        prefix = "s" if t == "string" else "b\\x01"
        e(f'{tgt} = "{prefix}" + std::to_string(c.Take());')
    elif t == "records":
        e(f"{tgt} = Records{{}};")
        e(f"{tgt}.bytes = kSampleRecords[c.Take() % 3];")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--core-out", default=os.path.join(PROTOCOL, "messages"))
    ap.add_argument("--tests-out", default=os.path.join(ROOT, "tests", "core", "protocol"))
    ap.add_argument("--clang-format", default="clang-format",
                    help="clang-format binary to format the output with ('' to skip)")
    args = ap.parse_args()

    schemas = []
    for name in sorted(os.listdir(SCHEMAS)):
        if name.endswith(".json"):
            s = load_json(os.path.join(SCHEMAS, name))
            if s["name"] not in SKIP:
                schemas.append(s)
    global_names = {}
    for s in schemas:
        collect_struct_names(s, global_names)
    apis_msgs = {}
    for s in schemas:
        m = Message(s, global_names)
        apis_msgs.setdefault(m.api_name, []).append(m)
    apis = {}
    outputs = {}
    for api, msgs in sorted(apis_msgs.items()):
        msgs.sort(key=lambda m: 0 if m.kind == "request" else 1)
        if len(msgs) != 2:
            raise SystemExit(f"{api}: needs a request and a response schema")
        req = msgs[0]
        flex = req.flexible[0] if req.flexible else -1
        apis[api] = (req.api_key, req.lo, req.hi, flex)
        outputs.update(emit_api_files(api, msgs, args.core_out))
    outputs.update(emit_api_keys(apis, args.core_out))
    outputs.update(emit_all(apis_msgs, args.core_out))
    outputs.update(emit_samples(apis_msgs, os.path.join(args.tests_out, "generated_samples.h")))

    style = os.path.join(ROOT, ".clang-format")
    for path, text in sorted(outputs.items()):
        if args.clang_format:
            text = subprocess.run([args.clang_format, f"--style=file:{style}",
                                   "--assume-filename=" + path],
                                  input=text, capture_output=True, text=True, check=True).stdout
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
