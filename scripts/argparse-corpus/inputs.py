"""The cases generate.py puts to ceph_argparse: synthetic descriptors per argument type with edge
words, and commands of the real corpus (runtime/commands/data) with sample values."""
import json
import os

NBSP = "\u00a0"
# words every type sees: empty, spaces, non-ASCII, a keyword-looking word
COMMON = ["", " ", "abc", "a b", "a,b", "é", "caf" + "\u00e9", "a" + NBSP + "b", "\u2013", "日本", "😀", "\t", "x\ny", "\x7f", "--x"]

INT_WORDS = [
    "0", "1", "-1", "+5", "12", " 12", "12 ", "\t7\n", NBSP + "12", "010", "00", "-0", "0_0", "0x1f", "0X1F", "0o17", "0b101",
    "0x", "1_000", "1__0", "_1", "1_", "1.5", "1e3", "inf", "nan", "١٢", "１２", "۳", "٣٤٥", "١_٢", "0x١", "٠", "٠١",
    "9007199254740991", "9007199254740992", "9007199254740993", "-9007199254740993", "9223372036854775807",
    "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "99999999999999999999999",
    "１２３４５６７８９０１２３４５６７８", "0x7fffffffffffffff", "0x8000000000000000", "-0x10", "+0b11", "0O7", "0b2", "12abc",
]
FLOAT_WORDS = [
    "0", "1", "1.5", "-2.5", ".5", "5.", "+.5e+2", "1e3", "1E-3", "1e400", "-1e400", "1e-400", "inf", "-inf", "+inf", "nan",
    "NaN", "-nan", "infinity", "Infinity", "1_000.5", "1__0", "١.٥", "١e٢", "１.５", "  2.5 ", NBSP + "2.5", "0x10", "1e", "e5",
    "1.7976931348623157e308", "1.7976931348623159e308", "4.9e-324", "0.1", "0.30000000000000004", "1.", "-.0", "1.5f", "12345678901234567890",
]
STRING_WORDS = [
    "abc", "a-b_c.d", "a=b", "A9", "a b", "a,b", "x/y", "~!@#$%^&*()", "\"'`", "[range]", "r", "a" + NBSP + "b", "é",
    "\u2013", "日本語", "😀", "\t", "x\ny", "\r", "\x0b\x0c", "\x00", "\x7f", "\x1b[0m", "--x", "-x", "ÿ", "\u200b",
]
CHOICES_WORDS = ["a", "b", "ccc", "c", "cc", "cccc", "d", "A", "--yes", "--yes-i-really-mean-it"]
BOOL_WORDS = ["true", "True", "TRUE", "tRuE", "1", "0", "false", "False", "yes", "no", "on", "t", "01", " 1", "ı"]
NAME_WORDS = [
    "*", "mgr", "mon", "osd", "client", "mds", "osd.0", "osd.12", "osd.*", "osd.x", "osd.-1", "osd.١", "osd. 1", "osd.1_0",
    "client.admin", "client.", "client.a.b", "mds.a", "mgr.x", "mon.a", "mon.*", "foo.bar", ".osd", "osd.0x1", "rgw.a",
]
OSDNAME_WORDS = [
    "*", "0", "12", "osd.3", "osd.-1", "-1", "osd.x", "mon.1", "x", "１２", "osd.١", " 3", "3 ", "+3", "0x3", "osd.", "1_2",
    "9223372036854775807", "9223372036854775808", "9007199254740993", "osd.9007199254740993", "osd.osd.1", "1.5",
]
PGID_WORDS = [
    "1.0", "1.1f", "0.ff", "10.0x1f", "1.0X1F", "-1.0", "1.", ".1", "1.g", "a.1", "1.1.1", "١.1", "1.１", " 1.0", "1.0 ",
    "1_0.1", "1.1_f", "+1.0", "1.-1", "9223372036854775808.0", "1", "1.٣",
]
ADDR_WORDS = [
    "1.2.3.4", "1.2.3.4:6789", "1.2.3.4:0", "1.2.3.4:65535", "1.2.3.4:65536", "1.2.3.4:99999", "1.2.3.4:١٢",
    "v1:1.2.3.4:6789", "v2:1.2.3.4:3300", "any:1.2.3.4", "any:1.2.3.4:6789", "v2:1.2.3.4", "v1:1.2.3.4", "v3:1.2.3.4",
    "v2:[::1]:3300", "v1:[::1]:3300", "any:[::1]:3300", "[::1]:6789", "[::1]:0", "::1", "fe80::1", "2001:db8::1",
    "v2:::1", "[::1", "[fe80::1%eth0]:3300", "256.1.1.1", "1.2.3", "01.2.3.4", "localhost", "::ffff:1.2.3.4", "[::ffff:1.2.3.4]:1",
    "1.2.3.4/123", "1.2.3.4:6789/0", "1.2.3.4/-1", "1.2.3.4/x", "1.2.3.4/", "[::1]:3300/5", "[::1]/5", "v2:1.2.3.4:3300/42",
    "v2:[::1]:3300/7", "any:1.2.3.4/1", "1.2.3.4/١", "1.2.3.4/ 5", "1.2.3.4/18446744073709551616",
]
# forms Ceph 16.2.15's CephIPAddr crashes on or reads one character of: the bugs README.md lists
ADDR_BUG_WORDS = ["[::1]", "[::1]:", "[::1]:99999", "[::1]:6x", "[::1]x", "1.2.3.4:x", "1.2.3.4:", "a/b/c", "1.2.3.4/1/2"]
UUID_WORDS = [
    "6f2b0e8c-3e2a-4a4c-9d0e-1c7f3a9b2d11", "6F2B0E8C-3E2A-4A4C-9D0E-1C7F3A9B2D11", "{6f2b0e8c-3e2a-4a4c-9d0e-1c7f3a9b2d11}",
    "urn:uuid:6f2b0e8c-3e2a-4a4c-9d0e-1c7f3a9b2d11", "uuid:6f2b0e8c3e2a4a4c9d0e1c7f3a9b2d11", "6f2b0e8c3e2a4a4c9d0e1c7f3a9b2d11",
    "6f2b0e8c-3e2a-4a4c-9d0e-1c7f3a9b2d1", "6f2b0e8c-3e2a-4a4c-9d0e-1c7f3a9b2d1g", "--6f2b0e8c3e2a4a4c9d0e1c7f3a9b2d11--",
    "{{6f2b0e8c3e2a4a4c9d0e1c7f3a9b2d11}}", "+f2b0e8c3e2a4a4c9d0e1c7f3a9b2d11", "١" * 32, "6f2b0e8c_e2a4a4c9d0e1c7f3a9b2d11",
    " 6f2b0e8c3e2a4a4c9d0e1c7f3a9b2d1", "00000000-0000-0000-0000-000000000000", "urn:6f2b0e8c3e2a4a4c9d0e1c7f3a9b2d11",
]
FRAGMENT_WORDS = ["0x1f/5", "0x0/0", "1f/5", "0x1f", "0x1f/x", "10/5", "0x/5", "0x1/2/3"]
FILEPATH_WORDS = ["/tmp", "/tmp/tsmgr-argparse-corpus-out", "/nonexistent-dir/x", "/", "/proc/self/nonexistent/x"]


def keyword_forms(name, word):
    return [["--" + name, word], ["--" + name + "=" + word], ["--" + name.replace("_", "-") + "=" + word]]


def single(prefix, arg, words, keyword=True):
    """One descriptor with one argument: each word positionally, and as keywords."""
    head = prefix.split()
    inputs = [head + [w] for w in words] + [head, head + ["1", "2"]]
    if keyword:
        for w in words:
            if w != "":
                inputs.extend(head + k for k in keyword_forms("v", w))
    return {"spec": {"descriptors": [f"{prefix} {arg}"]}, "inputs": inputs}


def multi(descriptors, inputs):
    return {"spec": {"descriptors": descriptors}, "inputs": inputs}


# long: one table of argument types and their words, read as a list
def synthetic_tables():
    t = {}
    t["int"] = single("t int", "name=v,type=CephInt", INT_WORDS + COMMON)
    t["int_range0"] = single("t int", "name=v,type=CephInt,range=0", INT_WORDS)
    t["int_range"] = single("t int", "name=v,type=CephInt,range=-5|20", INT_WORDS + ["20", "21", "-5", "-6", "0x14", "0x15"])
    t["float"] = single("t float", "name=v,type=CephFloat", FLOAT_WORDS + COMMON)
    t["float_range"] = single("t float", "name=v,type=CephFloat,range=0.0|1.0", FLOAT_WORDS + ["1.0", "1.0000001", "-0.0"])
    t["float_range_min"] = single("t float", "name=v,type=CephFloat,range=0.5", FLOAT_WORDS)
    t["string"] = single("t str", "name=v,type=CephString", STRING_WORDS + COMMON)
    for i, gc in enumerate(["[A-Za-z0-9-_.]", "[A-Za-z0-9-_.=]", "[range]", "[a-z]", "[^;]", "[é]", "[\\w]", "[!-~]"]):
        t[f"string_gc{i}"] = single("t str", f"name=v,type=CephString,goodchars={gc}", STRING_WORDS)
    t["string_n"] = single("t strs", "name=v,type=CephString,n=N", STRING_WORDS[:12])
    t["choices"] = single("t ch", "name=v,type=CephChoices,strings=a|b|ccc", CHOICES_WORDS + COMMON)
    t["choices_one"] = single("t ch", "name=v,type=CephChoices,strings=--yes-i-really-mean-it", CHOICES_WORDS)
    t["bool"] = single("t bool", "name=v,type=CephBool", BOOL_WORDS + COMMON)
    t["pool"] = single("t pool", "name=v,type=CephPoolname", STRING_WORDS + COMMON)
    t["object"] = single("t obj", "name=v,type=CephObjectname", STRING_WORDS)
    t["name"] = single("t name", "name=v,type=CephName", NAME_WORDS + COMMON)
    t["osdname"] = single("t osd", "name=v,type=CephOsdName", OSDNAME_WORDS + COMMON)
    t["pgid"] = single("t pg", "name=v,type=CephPgid", PGID_WORDS + COMMON)
    t["ipaddr"] = single("t ip", "name=v,type=CephIPAddr", ADDR_WORDS + ADDR_BUG_WORDS + COMMON)
    t["entityaddr"] = single("t ea", "name=v,type=CephEntityAddr", ADDR_WORDS + ADDR_BUG_WORDS + COMMON)
    t["uuid"] = single("t uuid", "name=v,type=CephUUID", UUID_WORDS + COMMON)
    t["fragment"] = single("t frag", "name=v,type=CephFragment", FRAGMENT_WORDS)
    t["filepath"] = single("t file", "name=v,type=CephFilepath", FILEPATH_WORDS, keyword=False)
    t.update(shape_tables())
    return t


# long: descriptor shapes (n=, req=, positional=, CephPrefix) with the argv that probe them
def shape_tables():
    t = {}
    t["int_n"] = multi(["t ints name=v,type=CephInt,n=N"], [
        ["t", "ints"], ["t", "ints", "1"], ["t", "ints", "1", "2", "3"], ["t", "ints", "1,2", "3"], ["t", "ints", "1,x"],
        ["t", "ints", "--v", "1,2", "--v=3"], ["t", "ints", "1", "--v", "2"], ["t", "ints", "١,２"], ["t", "ints", "1,,2"],
        ["t", "ints", "9007199254740993,1"],
    ])
    t["n2"] = multi(["t pair name=v,type=CephInt,n=2"], [
        ["t", "pair"], ["t", "pair", "1"], ["t", "pair", "1", "2"], ["t", "pair", "1", "2", "3"], ["t", "pair", "1,2"],
        ["t", "pair", "--v", "1", "--v", "2"], ["t", "pair", "--v=1"], ["t", "pair", "x", "2"], ["t", "pair", "1", "x"],
    ])
    t["n3_str"] = multi(["t tri name=v,type=CephString,n=3 name=w,type=CephString,req=false"], [
        ["t", "tri", "a"], ["t", "tri", "a", "b"], ["t", "tri", "a", "b", "c"], ["t", "tri", "a", "b", "c", "d"],
        ["t", "tri", "a", "b", "c", "d", "e"], ["t", "tri", "--w", "z", "a", "b", "c"],
    ])
    t["n2_opt"] = multi(["t opt2 name=v,type=CephInt,n=2,req=false name=s,type=CephString,req=false"], [
        ["t", "opt2"], ["t", "opt2", "1"], ["t", "opt2", "1", "2"], ["t", "opt2", "x"], ["t", "opt2", "1", "x"],
        ["t", "opt2", "1", "2", "x"], ["t", "opt2", "1", "2", "x", "y"],
    ])
    t["req_false"] = multi(["t opt name=a,type=CephInt,req=false name=b,type=CephString,req=false name=c,type=CephChoices,strings=on|off,req=false"], [
        ["t", "opt"], ["t", "opt", "1"], ["t", "opt", "x"], ["t", "opt", "on"], ["t", "opt", "1", "x", "on"], ["t", "opt", "x", "on"],
        ["t", "opt", "1", "on"], ["t", "opt", "on", "x"], ["t", "opt", "--c", "off", "5"], ["t", "opt", "--b=z", "1"],
        ["t", "opt", "1", "x", "on", "extra"], ["t", "opt", "--a", "x"], ["t", "opt", "--zzz", "1"], ["t", "opt", "é"],
    ])
    t["req_mixed"] = multi(["t mix name=a,type=CephString,req=false name=b,type=CephInt"], [
        ["t", "mix"], ["t", "mix", "1"], ["t", "mix", "x"], ["t", "mix", "x", "1"], ["t", "mix", "x", "y"], ["t", "mix", "--b", "3"],
        ["t", "mix", "--a", "q", "--b", "3"], ["t", "mix", "--b=3", "x"],
    ])
    t["bool_kw"] = multi(["t flag name=p,type=CephPoolname name=yes_i_really_mean_it,type=CephBool,req=false"], [
        ["t", "flag", "p"], ["t", "flag", "p", "--yes-i-really-mean-it"], ["t", "flag", "p", "--yes_i_really_mean_it"],
        ["t", "flag", "--yes-i-really-mean-it=0", "p"], ["t", "flag", "p", "true"], ["t", "flag", "p", "--yes-i-really-mean-it=maybe"],
        ["t", "flag", "--yes-i-really-mean-it"], ["t", "flag", "p", "--yes-i-really-mean-it", "x"], ["t", "flag", "p", "--force"],
    ])
    t["legacy_flag"] = multi(["t legacy name=v,type=CephString name=sure,type=CephString,req=false"], [
        ["t", "legacy", "x", "--yes-i-really-mean-it"], ["t", "legacy", "x", "--force"], ["t", "legacy", "x", "--other"],
        ["t", "legacy", "--force"], ["t", "legacy", "x", "--sure", "y"], ["t", "legacy", "x", "--"], ["t", "legacy", "x", "--="],
    ])
    t["injectargs"] = multi(["injectargs name=injected_args,type=CephString,n=N"], [
        ["injectargs", "--debug-osd=20"], ["injectargs", "--debug_ms", "1"], ["injectargs", "a", "--b"],
    ])
    t["prefix_named"] = multi(["t name=x,type=CephPrefix,prefix=abc name=v,type=CephString,req=false"], [
        ["t", "abc"], ["t", "abc", "q"], ["t", "ab"], ["t", "abd"], ["t"], ["t", "abc", "--v", "z"], ["t", "--x", "abc"],
    ])
    t["prefix_as_prefix"] = multi(["t name=prefix,type=CephPrefix,prefix=abc name=v,type=CephInt"], [
        ["t", "abc", "1"], ["t", "abc"], ["t", "abd", "1"],
    ])
    t["prefix_two"] = multi(["t name=x,type=CephPrefix,prefix=abc name=y,type=CephPrefix,prefix=def", "t abc"], [
        ["t", "abc", "def"], ["t", "abc"], ["t", "abc", "de"], ["t", "abc", "xyz"],
    ])
    for ty in ["CephString", "CephInt", "CephChoices,strings=json|plain", "CephBool"]:
        key = "positional_" + ty.split(",")[0]
        t[key] = multi([f"t kw name=pool,type=CephString,req=false name=v,type={ty},req=false,positional=false"], [
            ["t", "kw", "p"], ["t", "kw", "p", "json"], ["t", "kw", "p", "--v", "json"], ["t", "kw", "--v=1"], ["t", "kw", "p", "1"],
        ])
    t["scoring"] = multi([
        "t s a name=v,type=CephString", "t s b name=v,type=CephInt", "t s name=w,type=CephInt", "t sx", "t s a b",
        "t s name=c,type=CephChoices,strings=on|off name=v,type=CephInt,req=false",
    ], [
        ["t"], ["t", "s"], ["t", "s", "a"], ["t", "s", "a", "x"], ["t", "s", "b", "x"], ["t", "s", "b", "1"], ["t", "s", "1"],
        ["t", "s", "a", "b"], ["t", "s", "on"], ["t", "s", "on", "2"], ["t", "s", "o"], ["t", "sx"], ["t", "sx", "y"], ["t", "q"],
        ["u"], [], ["t", "s", "x"], ["t", "s", "b"], ["t", "s", "on", "x"],
    ])
    return t


SAMPLES = {
    "CephInt": "1", "CephFloat": "0.5", "CephString": "abc", "CephBool": "true", "CephPoolname": "rbd",
    "CephObjectname": "obj", "CephName": "osd.1", "CephOsdName": "1", "CephPgid": "1.0", "CephEntityAddr": "1.2.3.4:6789/0",
    "CephIPAddr": "1.2.3.4", "CephUUID": "6f2b0e8c-3e2a-4a4c-9d0e-1c7f3a9b2d11", "CephFilepath": "/tmp/tsmgr-argparse-corpus-out",
    "CephFragment": "0x1/1",
}
BAD = {
    "CephInt": "x", "CephFloat": "x", "CephString": "é", "CephBool": "maybe", "CephName": "foo", "CephOsdName": "osd.x",
    "CephPgid": "1", "CephEntityAddr": "1.2.3.4/x", "CephIPAddr": "1.2.3.999", "CephUUID": "nope", "CephChoices": "zzz",
}


def sample(arg):
    t = arg["type"]
    if t == "CephChoices":
        return arg["strings"].split("|")[0]
    if t in ("CephInt", "CephFloat") and "range" in arg:
        return arg["range"].split("|")[0]
    return SAMPLES[t]


# long: three argv per real command, each shaped from its own descriptor
def corpus_cases(data):
    out = []
    for name in ("mon", "mgr", "osd0"):
        with open(os.path.join(data, name + "-command-descriptions.json")) as f:
            corpus = json.load(f)
        for i, cmd in enumerate(corpus.values()):
            words = [w for w in cmd["sig"] if isinstance(w, str)]
            args = [a for a in cmd["sig"] if isinstance(a, dict)]
            required = [a for a in args if a.get("req", "true") in ("true", "True")]
            out.append((name, words + [sample(a) for a in required]))
            if len(args) > len(required):
                out.append((name, words + [sample(a) for a in args]))
            if args and i % 2 == 0:
                kw = [x for a in args for x in ("--" + a["name"].replace("_", "-"), sample(a))]
                out.append((name, words + kw))
            bad = [a for a in args if a["type"] in BAD]
            if bad:
                a = bad[0]
                out.append((name, words + [BAD[x["type"]] if x is a else sample(x) for x in args if x in required or x is a]))
            if i % 5 == 0 and words:
                out.append((name, words[:-1] + [words[-1][:-1]] if len(words[-1]) > 1 else words + ["zzz"]))
    return out
