#!/usr/bin/env python3
"""Writes the hand-made seeds of tests/fuzz/corpus (run once; fuzz.sh --merge adds what
libFuzzer finds). Each seed is a small meaningful input: valid and invalid requests for
every op, job and tree files (examples/*.json), every daemon config key, deep nesting near
the limits, unicode, NUL escapes, huge numbers."""
import hashlib
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent
repo = root.parent.parent


def write(target, text):
    data = text.encode() if isinstance(text, str) else text
    out = root / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    (out / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


def req(op, args=None, id=1, **extra):
    r = {"v": 1, "id": id, "op": op}
    if args is not None:
        r["args"] = args
    r.update(extra)
    return json.dumps(r, ensure_ascii=False) + "\n"


JOB = {"name": "api", "kind": "process", "argv": ["./api", "--port", "8080"], "env": {"RUST_LOG": "info"},
       "cwd": "/srv/api", "master": False, "bubble": True, "awaited": True, "timeout": "10m",
       "ready": {"wait_tcp": "127.0.0.1:8080", "timeout": "30s"}, "stop": {"signal": "TERM", "grace": "5s"},
       "restart": {"policy": "on-failure", "max": 5, "backoff": {"initial": "100ms", "max": "30s"}},
       "output": "capture", "user": "www-data"}
TREE = {"name": "ci", "timeout": "30m", "children": [
    {"name": "db", "argv": ["pg_ctl", "start"], "awaited": False, "ready": {"wait_tcp": "127.0.0.1:5432"}},
    {"name": "tests", "after": ["db"], "children": [
        {"name": "unit", "argv": ["make", "unit"]},
        {"name": "e2e", "argv": ["make", "e2e"], "timeout": "10m"}]}]}
JOBS = [
    JOB, {"argv": ["true"]}, {"kind": "sleep", "duration": "1.5s"}, {"kind": "sleep", "duration": 3000},
    {"kind": "wait_tcp", "address": "[::1]:80", "interval": "1h30m"}, {"kind": "wait_file", "path": "/tmp/x"},
    {"argv": ["sh", "-c", "exit 3"], "success_exit_codes": [0, 3], "output": {"file": "/tmp/o", "append": True}},
    {"argv": ["x"], "output": "inherit", "group": "0", "stop": {"signal": 9}},
    {"argv": ["x"], "ready": {"exec": ["test", "-f", "/x"], "interval": "1s"}, "restart": {"policy": "always"}},
    {"argv": ["x"], "after": [{"name": "db", "when": "succeeded"}, "cache"]},
    {"argv": ["\u00e9t\u00e9", "\U0001F600", "a\u0000b"], "env": {"K\u0000": "v"}},
    {"argv": ["x"], "timeout": 1e300, "restart": {"max": 18446744073709551616}},
    {"argv": ["x"], "timeout": -1, "name": "..", "health": {}},
    {"argv": []}, {"kind": "nope"}, {"argv": ["x"], "children": []}, [], "job", None, 12,
]
TREES = [TREE, {"children": []}, {"name": "a", "children": [{"name": "b", "after": ["c"], "argv": ["x"]},
                                                           {"name": "c", "after": ["b"], "argv": ["x"]}]},
         {"name": "dup", "children": [{"name": "x", "argv": ["a"]}, {"name": "x", "argv": ["b"]}]},
         {"children": [{"master": True, "kind": "sleep", "duration": "1s"}, {"finalize": False, "children": []}]}]


def nested(depth, leaf):
    node = leaf
    for i in range(depth):
        node = {"name": f"s{i}", "children": [node]}
    return node


def node_spec_seeds():
    for f in sorted((repo / "examples").glob("*.json")):
        write("fuzz_node_spec", f.read_bytes())
    for spec in JOBS + TREES:
        write("fuzz_node_spec", json.dumps(spec, ensure_ascii=False))
    write("fuzz_node_spec", json.dumps(nested(20, {"argv": ["deep"]})))
    write("fuzz_node_spec", "[" * 64 + "]" * 64)
    write("fuzz_node_spec", "[" * 65 + "]" * 65)
    write("fuzz_node_spec", '{"argv": ["x"], "timeout": 1e400}')
    write("fuzz_node_spec", '{"argv": ["x"], "name": "\\ud800"}')
    write("fuzz_node_spec", b'{"argv": ["\xff\xfe"]}')
    write("fuzz_node_spec", '{"argv": ["x"], "timeout": "1h30m99999999999999999999s"}')


def request_seeds():
    t = "fuzz_request"
    lines = [
        req("ping"), req("version"), req("shutdown"), req("ping", {"x": 1}),
        req("spawn", {"scope": "/ci", "job": JOB}), req("spawn", {"job": {"argv": ["true"]}, "base_env": {"PATH": "/bin"}}),
        req("spawn", {"job": TREE}), req("spawn", {"scope": "/nope", "job": {"argv": ["x"]}}),
        req("spawn", {"job": {"argv": ["x"]}, "base_env": {"A": 1}}),
        req("fork", {"scope": "/ci", "name": "sub", "timeout": "5s", "master": True, "bubble": False, "awaited": False}),
        req("fork", {"name": "../x", "timeout": 1e300}), req("fork", {"timeout": -5}),
        req("submit", {"tree": TREE}), req("submit", {"scope": "/ci", "tree": {"children": []}}),
        req("submit", {"tree": nested(14, {"argv": ["x"]})}),
        req("finalize", {"path": "/ci"}), req("finalize", {"path": "/ci/unit"}), req("finalize", {}),
        req("cancel", {"path": "/ci", "reason": "because"}), req("cancel", {"path": "/"}), req("cancel", {"path": "ci"}),
        req("timeout", {"path": "/ci/unit", "timeout": "1s"}), req("timeout", {"path": "/ci", "timeout": None}),
        req("timeout", {"path": "/ci"}), req("timeout", {"path": "/ci", "timeout": 9.2e18}),
        req("ps"), req("ps", {"path": "/ci", "all": True, "brief": True}), req("ps", {"all": "yes"}),
        req("inspect", {"path": "/ci/unit"}), req("inspect", {"path": "/ci/../etc"}),
        req("logs", {"path": "/ci/unit", "lines": 10, "stream": "err", "follow": False}),
        req("logs", {"path": "/ci", "lines": -1}), req("logs", {"path": "/ci", "lines": 18446744073709551615}),
        req("logs", {"path": "/ci", "stream": "both"}),
        req("wait", {"paths": ["/ci", "/ci/unit"], "timeout": "1s", "claim": True}), req("wait", {"paths": []}),
        req("wait", {"paths": [1]}), req("events", {"path": "/ci", "follow": True}), req("events", {"path": "//"}),
        req("signal", {"path": "/ci/unit", "signal": "SIGTERM"}), req("signal", {"path": "/ci", "signal": 9}),
        req("signal", {"path": "/ci", "signal": 999}), req("signal", {"path": "/ci", "signal": "BOGUS"}),
        req("nope"), req(""), req("ping", id=-1), req("ping", id=2**63), req("ping", id=1.5),
        json.dumps({"v": 2, "id": 1, "op": "ping"}) + "\n", json.dumps({"id": 1, "op": "ping"}) + "\n",
        json.dumps({"v": 1, "id": 1, "op": "ping", "extra": 1}) + "\n", json.dumps({"v": 1, "id": 1, "op": "ping", "args": []}) + "\n",
        "[1,2]\n", "not json\n", "\n\r\n", '{"v":1,"id":7,"op":"ping"}\r\n',
        req("spawn", {"job": {"argv": ["\u00e9", "a\u0000b", "\U0001F600"], "env": {"\u0000": "x"}}}),
        '{"v":1,"id":1,"op":"ping","args":' + "[" * 15 + "]" * 15 + "}\n",
        '{"v":1,"id":1,"op":"ping","args":' + "[" * 16 + "]" * 16 + "}\n",
        b'{"v":1,"id":1,"op":"\xff"}\n', '{"v":1,"id":1e400,"op":"ping"}\n',
        '{"v":1,"id":1,"op":"ping"}',  # no newline: dropped at EOF
        '{"v":1,"id":1,"op":"ping","args":{"x":"' + "a" * 4100 + '"}}\n',
    ]
    for line in lines:
        write(t, line)
    # A session: a tree, then requests on it.
    write(t, req("submit", {"tree": TREE}, id=1) + req("wait", {"paths": ["/ci/tests"], "claim": True}, id=2)
          + req("cancel", {"path": "/ci"}, id=3) + req("ps", {"all": True}, id=4) + req("inspect", {"path": "/ci/db"}, id=5))


def config_seeds():
    t = "fuzz_daemon_config"
    write(t, (repo / "packaging" / "traiod.json").read_bytes())
    full = {"socket": {"path": "/run/traio/traio.sock", "mode": "0660", "group": "traio"},
            "state_dir": "/var/lib/traio", "log_dir": "/var/log/traio", "boot_dir": "/etc/traio/boot.d",
            "logs": {"max_bytes": "10MiB", "keep": 5}, "history": 1000, "log_level": "info",
            "defaults": {"stop": {"signal": "TERM", "grace": "10s"},
                         "restart": {"backoff": {"initial": "100ms", "max": "1m"}}},
            "limits": {"request_bytes": "1MiB", "depth": 64, "connections": 128, "nodes": 100000}}
    write(t, json.dumps(full, indent=2))
    for bad in [{"socket": {"mode": 660}}, {"socket": {"mode": "0999"}, "state_dir": "rel"},
                {"logs": {"max_bytes": 10, "keep": -1}}, {"limits": {"request_bytes": "2GiB", "depth": 3}},
                {"limits": {"connections": 0, "nodes": 1e300}}, {"history": 18446744073709551616},
                {"log_level": "loud"}, {"metrics": {}}, {"unknown": 1},
                {"defaults": {"stop": {"signal": "NOPE", "grace": "-1s"}, "restart": {"backoff": {"initial": "1h", "max": "1s"}}}},
                {"defaults": {"restart": {"backoff": {"initial": 0}}}}, {"boot_dir": "/x\u0000y"},
                [], "x", None]:
        write(t, json.dumps(bad))
    write(t, '{"history": 1e400}')
    write(t, '{"limits": {"depth": 64}')
    write(t, "[" * 64 + "]" * 64)
    write(t, b'{"socket": {"group": "\xff"}}')
    write(t, "")


node_spec_seeds()
request_seeds()
config_seeds()
