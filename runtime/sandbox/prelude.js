// Runs first in every module isolate, before any module code. It takes the host functions the
// daemon injected as `__h_*` globals, hides them in this closure (module code never sees a
// Reference or Callback), and builds what a module may use: the frozen `__tsmgr` API, timers,
// console. It evaluates to the dispatcher through which the host calls into the module.
// Plain JavaScript on purpose: it is read as text and must not pass through a transpiler.
(function () {
  "use strict";
  const G = globalThis;
  // Captured now: module code may replace these globals later; the bridge must not follow.
  const JSONparse = JSON.parse;
  const JSONstringify = JSON.stringify;
  const freeze = Object.freeze;
  const isFrozen = Object.isFrozen;
  const ownKeys = Reflect.ownKeys;
  const defineProperty = Object.defineProperty;
  const MapC = Map;
  const PromiseC = Promise;
  const StringC = String;
  const ErrorC = Error;
  const TypeErrorC = TypeError;
  const ArrayIsArray = Array.isArray;
  const objectKeys = Object.keys;
  const getPrototypeOf = Object.getPrototypeOf;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const SharedArrayBufferC = typeof SharedArrayBuffer === "function" ? SharedArrayBuffer : undefined;
  const Int32ArrayC = Int32Array;
  const Float64ArrayC = Float64Array;

  const h = {};
  for (const k of ownKeys(G)) {
    if (typeof k === "string" && k.startsWith("__h_")) {
      h[k.slice(4)] = G[k];
      delete G[k];
    }
  }
  const ROLE = h.role === "standby" ? "standby" : "active";
  const WEAK_ABOVE = typeof h.weakAbove === "number" ? h.weakAbove : 8 << 20;
  // What a standby offers is what the host injected (runtime/api/surface.ts decides), plus the
  // entry points a standby runs: the message cannot drift from the surface.
  const NOT_SURFACE = [
    "role",
    "weakAbove",
    "timerSet",
    "timerClear",
    "mirror",
    "mirrorDrain",
    "clusterCells",
    "clusterNames",
  ];
  // the host functions behind the web-standard globals (fetch, crypto, URL): not SDK methods
  const WEB_HOST = ["webInstall", "webRandom", "webDigest", "webUrlSource", "fetch", "fetchAbort"];
  const offered = ownKeys(h).filter((k) => !NOT_SURFACE.includes(k) && !WEB_HOST.includes(k));
  offered.push("serve", "shutdown");
  const ALLOWED_ON_STANDBY = offered.slice(0, -1).join(", ") + " and " + offered[offered.length - 1];
  // Text bound for the host is cut here, before it crosses: an 8 MiB log message must not be
  // copied into the daemon only to be cut there.
  const MAX_LOG_CHARS = 16 * 1024;
  const MAX_ERROR_MESSAGE = 4096;
  const MAX_STACK_FRAMES = 20;
  const MAX_FRAME_CHARS = 300;
  const cut = (s, max) => (s.length > max ? s.slice(0, max) + "…(truncated)" : s);

  // Nothing a module needs, and each a way around the limits: shared memory and Atomics.wait
  // can block the isolate's thread, WebAssembly memory grows outside the heap accounting.
  delete G.SharedArrayBuffer;
  delete G.Atomics;
  delete G.WebAssembly;

  function denied(name) {
    const e = new ErrorC(
      ROLE === "standby"
        ? `${name}() is not available on a standby daemon: MgrStandbyModule offers only ${ALLOWED_ON_STANDBY}`
        : `${name}() is not available to this module`,
    );
    e.name = "PermissionDenied";
    return e;
  }

  // `shown` is the API name a module called, when the host function has another name
  function sync(name, shown = name) {
    const f = h[name];
    if (typeof f === "function") return f;
    return function () {
      throw denied(shown);
    };
  }

  function async(name) {
    const ref = h[name];
    if (!ref) return () => PromiseC.reject(denied(name));
    // the host answers [generation, value]: data may have changed while we waited
    return (...args) =>
      ref.apply(undefined, args, { arguments: { copy: true }, result: { promise: true, copy: true } }).then((r) => {
        gen = r[0];
        return r[1];
      });
  }

  // Snapshots are plain JSON: own string keys only, so key and index loops suffice, and only
  // objects need visiting (3-6x faster than recursing through every value). `for…in` walks
  // V8's enum cache without allocating a key array (a 1,000-OSD map: freeze ~1.6 → ~0.6 ms);
  // it would also visit enumerable keys module code added to Object.prototype, so when there
  // are any, Object.keys is used instead.
  function freezeTree(o, forIn) {
    if (ArrayIsArray(o)) {
      for (let i = 0; i < o.length; i++) {
        const x = o[i];
        if (typeof x === "object" && x !== null) freezeTree(x, forIn);
      }
    } else if (forIn) {
      for (const k in o) {
        const x = o[k];
        if (typeof x === "object" && x !== null) freezeTree(x, forIn);
      }
    } else {
      const ks = objectKeys(o);
      for (let i = 0; i < ks.length; i++) {
        const x = o[ks[i]];
        if (typeof x === "object" && x !== null) freezeTree(x, forIn);
      }
    }
    freeze(o);
  }
  const ObjectProto = Object.prototype;
  function noInheritedKeys() {
    for (const _ in ObjectProto) return false;
    return true;
  }
  function deepFreeze(v) {
    if (v === null || typeof v !== "object" || isFrozen(v)) return v;
    freezeTree(v, noInheritedKeys());
    return v;
  }

  const parse = (s) => (s === undefined || s === null ? s : JSONparse(s));
  const str = (v) => (v === undefined ? undefined : JSONstringify(v));

  // ---- logging and console -------------------------------------------------------------
  const hLog = sync("log");
  function fmt(args) {
    let out = "";
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      let s;
      if (typeof a === "string") s = a;
      else if (a instanceof ErrorC) s = a.stack || `${a.name}: ${a.message}`;
      else {
        try {
          s = JSONstringify(a);
        } catch {
          s = StringC(a);
        }
        if (s === undefined) s = StringC(a);
      }
      out += i ? " " + s : s;
    }
    return out;
  }
  const logLine = (level, text) => hLog(level, cut(text, MAX_LOG_CHARS));
  const log = (level, message) =>
    logLine(
      cut(typeof level === "string" ? level : StringC(level), 16),
      typeof message === "string" ? message : StringC(message),
    );
  const console = freeze({
    log: (...a) => logLine("info", fmt(a)),
    info: (...a) => logLine("info", fmt(a)),
    debug: (...a) => logLine("debug", fmt(a)),
    warn: (...a) => logLine("warn", fmt(a)),
    error: (...a) => logLine("error", fmt(a)),
  });
  defineProperty(G, "console", { value: console, writable: true, configurable: true });

  // ---- timers: the host owns the clock, the isolate owns the callbacks -----------------
  const hTimerSet = sync("timerSet");
  const hTimerClear = sync("timerClear");
  const timers = new MapC();
  let nextTimer = 1;
  // The entry point whose code runs now (set as each call in begins): a sleep() ends by resuming the
  // code that awaited it, so the host reports a failure there as that entry point's, not a timer's.
  let runningIn = "timer callback";
  function addTimer(fn, ms, args, repeat, sleeping = false) {
    if (typeof fn !== "function") throw new TypeErrorC("timer callback must be a function");
    const id = nextTimer++;
    const delay = +ms > 0 ? +ms : 0;
    const label = sleeping ? runningIn : "timer callback";
    hTimerSet(id, delay, repeat, label);
    timers.set(id, { fn, args, repeat, label });
    return id;
  }
  function clearTimer(id) {
    if (timers.delete(id)) hTimerClear(id);
  }
  const timerApi = {
    setTimeout: (fn, ms, ...args) => addTimer(fn, ms, args, false),
    setInterval: (fn, ms, ...args) => addTimer(fn, ms, args, true),
    clearTimeout: clearTimer,
    clearInterval: clearTimer,
    queueMicrotask: (fn) => {
      PromiseC.resolve().then(fn);
    },
  };
  for (const k of ownKeys(timerApi)) defineProperty(G, k, { value: timerApi[k], writable: true, configurable: true });

  let stopping = false;
  /** the host's data generation as of the last call in (-1: unknown) */
  let gen = -1;
  const sleepers = new MapC();
  function sleep(ms) {
    return new PromiseC((resolve) => {
      if (stopping) return resolve();
      const id = addTimer(
        () => {
          sleepers.delete(resolve);
          resolve();
        },
        ms,
        [],
        false,
        true,
      );
      sleepers.set(resolve, id);
    });
  }

  // ---- cluster data: one frozen snapshot per data name and version ---------------------
  const hVersion = sync("dataVersion", "get");
  const hGetJson = sync("dataJson", "get");
  const dataCache = new MapC();
  // Snapshots above WEAK_ABOVE bytes (an eighth of the heap limit) are held weakly: a module that
  // reads pg_dump of a big cluster once must not carry it for life. Smaller ones stay.
  const WeakRefC = typeof WeakRef === "function" ? WeakRef : undefined;
  const held = (hit) => (hit.ref !== undefined ? hit.ref.deref() : hit.value);
  // The cluster's versions in memory the host shares with every isolate (runtime/api/cluster-cells.ts):
  // a cached snapshot is checked against its slot, no host call. Without it: the host's generation
  // as of the last call in, then a version call.
  const cells =
    SharedArrayBufferC !== undefined && h.clusterCells instanceof SharedArrayBufferC
      ? new Float64ArrayC(h.clusterCells)
      : undefined;
  const slots = new MapC();
  if (cells !== undefined && typeof h.clusterNames === "string") {
    const names = JSONparse(h.clusterNames);
    for (let i = 0; i < names.length; i++) slots.set(names[i], i + 1);
  }
  const genNow = () => (cells !== undefined ? cells[0] : gen);
  function cacheSnapshot(name, v, g, json) {
    const value = deepFreeze(parse(json) ?? null);
    return remember(name, v, g, value, typeof json === "string" && json.length > WEAK_ABOVE);
  }
  /** Keeps `value` as the snapshot of `name` at version `v`: weakly when `big` (the host has the text). */
  function remember(name, v, g, value, big) {
    const weak = big && WeakRefC !== undefined && value !== null && typeof value === "object";
    dataCache.set(name, weak ? { v, g, ref: new WeakRefC(value) } : { v, g, value });
    return value;
  }
  function get(name) {
    if (typeof name !== "string") throw new TypeErrorC(`get(): the data name must be a string, got ${typeof name}`);
    const hit = dataCache.get(name);
    if (hit !== undefined) {
      // Fast path: no version anywhere moved since this snapshot was checked.
      const g = genNow();
      if (g !== -1 && hit.g === g) {
        const cached = held(hit);
        if (cached !== undefined) return cached;
      }
      const slot = slots.get(name);
      if (slot !== undefined && cells[slot] === hit.v) {
        const cached = held(hit);
        if (cached !== undefined) {
          hit.g = g;
          return cached;
        }
      }
    }
    const g = genNow();
    const v = hVersion(name);
    if (v === -1) return null;
    if (hit !== undefined && hit.v === v) {
      const cached = held(hit);
      if (cached !== undefined) {
        hit.g = g;
        return cached;
      }
    }
    return cacheSnapshot(name, v, g, hGetJson(name));
  }

  /**
   * Snapshots the host moved in ahead of a notify: [[name, version, base?]...] and their texts,
   * parsed now. With `base`, the text is a patch from the version `base` (runtime/api/
   * snapshot-patch.ts): applied to the snapshot of `base` when this isolate still holds it, else
   * dropped (the next get() fetches the whole text).
   */
  function takePushed(list, texts) {
    for (let i = 0; i < list.length; i++) {
      const [name, v, base] = list[i];
      const json = texts[i];
      if (typeof name !== "string" || typeof json !== "string") continue;
      const hit = dataCache.get(name);
      if (hit !== undefined && hit.v === v && held(hit) !== undefined) continue;
      if (base === undefined) {
        cacheSnapshot(name, v, -1, json);
        continue;
      }
      const old = hit !== undefined && hit.v === base ? held(hit) : undefined;
      if (old === undefined || old === null || typeof old !== "object") continue;
      remember(name, v, -1, applyPatch(old, JSONparse(json)), hit.ref !== undefined);
    }
  }
  /**
   * A new frozen snapshot from `base` (frozen, left untouched) and [[path, value]...]: the nodes
   * on each path are shallow copies, every other node is shared with `base`.
   */
  function applyPatch(base, ops) {
    const copies = new MapC();
    const copyOf = (node) => {
      let c = copies.get(node);
      if (c === undefined) {
        // Builtins only, no loop of ours: a loop here grew hot in every isolate and V8 optimized
        // it once per isolate (100 modules: 100 TurboFan jobs). A spread makes own data
        // properties as JSON.parse does (never a setter module code put on Object.prototype).
        c = ArrayIsArray(node) ? node.slice() : { ...node };
        copies.set(node, c);
      }
      return c;
    };
    const root = copyOf(base);
    for (let i = 0; i < ops.length; i++) {
      const [path, value] = ops[i];
      let orig = base;
      let copy = root;
      for (let j = 0; j < path.length - 1; j++) {
        const k = path[j];
        orig = orig[k];
        const next = copyOf(orig);
        copy[k] = next;
        copy = next;
      }
      copy[path[path.length - 1]] = deepFreeze(value);
    }
    for (const c of copies.values()) freeze(c);
    return root;
  }

  // ---- HTTP handlers registered by serveHttp --------------------------------------------
  let httpHandler;
  const hServeHttp = sync("serveHttp");

  // ---- the module's own store keys and options, mirrored (runtime/api/mirror.ts) ---------
  // The host bumps mirrorCell[0] on every change of one of this module's keys, from any source;
  // a read that sees it moved drains the changes first (one host call), else reads the Maps.
  const mirrorCell =
    SharedArrayBufferC !== undefined && h.mirror instanceof SharedArrayBufferC ? new Int32ArrayC(h.mirror) : undefined;
  const hDrain = sync("mirrorDrain");
  const storeMirror = new MapC();
  const optionMirror = new MapC();
  let mirrorSeq = -1;
  /** True when the Maps are current (false: no mirror, use the host calls). */
  function mirrored() {
    if (mirrorCell === undefined) return false;
    if (mirrorCell[0] === mirrorSeq) return true;
    const d = JSONparse(hDrain());
    if (d.full) storeMirror.clear();
    for (let i = 0; i < d.store.length; i++) {
      const [k, v] = d.store[i];
      if (v === null) storeMirror.delete(k);
      else storeMirror.set(k, v);
    }
    if (d.options !== undefined) {
      optionMirror.clear();
      for (let i = 0; i < d.options.length; i++) optionMirror.set(d.options[i][0], d.options[i]);
    }
    mirrorSeq = d.seq;
    return true;
  }
  function readStore(key) {
    // anything but a non-empty string goes to the host, whose error names the problem
    if (typeof key === "string" && key.length > 0 && mirrored()) return storeMirror.get(key);
    return hGetStore(key);
  }
  // a standby is not given getStorePrefix: the mirror must not answer for it either
  const prefixOffered = typeof h.getStorePrefix === "function";
  function readStorePrefix(prefix) {
    const p = StringC(prefix);
    if (!prefixOffered || p.length > 4096 || !mirrored()) return parse(hStorePrefix(p));
    const keys = [];
    for (const k of storeMirror.keys()) if (k.startsWith(p)) keys.push(k);
    keys.sort();
    const out = {};
    // defined, not assigned: a key named "__proto__" is data, as the host's fromEntries makes it
    for (let i = 0; i < keys.length; i++)
      defineProperty(out, keys[i], {
        value: storeMirror.get(keys[i]),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    return out;
  }
  function readOption(name) {
    const n = StringC(name);
    const e = mirrored() ? optionMirror.get(n) : undefined;
    // an undeclared name, or no mirror: the host answers (or throws, naming the declared options)
    return e !== undefined ? e[1] : parse(hOption(n));
  }
  const hLocalStore = sync("getLocalizedStore");
  const hLocalOption = sync("getLocalizedModuleOption");
  const aSetLocalStore = async("setLocalizedStore");
  const aSetLocalOption = async("setLocalizedModuleOption");
  /** [get_localized_store]: MGR_ID/KEY, else KEY, else the default */
  function readLocalizedStore(key, dflt) {
    let v;
    if (typeof key === "string" && key.length > 0 && mirrored()) {
      v = storeMirror.get(readMgrId() + "/" + key);
      if (v === undefined) v = storeMirror.get(key);
    } else v = hLocalStore(key);
    return v === undefined ? dflt : v;
  }
  /** [get_localized_module_option]: mgr/MODULE/MGR_ID/NAME, else mgr/MODULE/NAME, else its default, else `dflt` */
  function readLocalizedOption(name, dflt) {
    const n = StringC(name);
    const e = mirrored() ? optionMirror.get(n) : undefined;
    const v = e !== undefined ? (e[2] !== null ? e[2] : e[1]) : parse(hLocalOption(n));
    return v === null && dflt !== undefined ? dflt : v;
  }
  let mgrId;
  const hMgrId = sync("getMgrId");
  // a daemon's id never changes in its life: asked once
  const readMgrId = () => (mgrId === undefined ? (mgrId = hMgrId()) : mgrId);

  const hMgrIp = sync("getMgrIp");
  const hActiveUri = sync("getActiveUri");
  const hOption = sync("getModuleOption");
  const hGetStore = sync("getStore");
  const hStorePrefix = sync("getStorePrefix");
  const hServer = sync("getServer");
  const hServers = sync("listServers");
  const hMeta = sync("getMetadata");
  const hDaemonStatus = sync("getDaemonStatus");
  const hSchema = sync("getPerfSchema");
  const hCounter = sync("getCounter");
  const hLatest = sync("getLatestCounter");
  const hMonConn = sync("haveMonConnection");
  const hHealth = sync("setHealthChecks");
  const aSetStore = async("setStore");
  const aSetOption = async("setModuleOption");
  const aSend = async("sendCommand");
  // ---- remote calls, progress events, cluster log (issue 15) ----
  const aRemote = async("remote");
  const hProgress = sync("updateProgressEvent");
  const hProgressDone = sync("completeProgressEvent");
  const hProgressFail = sync("failProgressEvent");
  const hClusterLog = sync("clusterLog");
  // ---- perf counters, daemon commands, Ceph options ----
  const hAllPerf = sync("getAllPerfCounters");
  const hCephOption = sync("getCephOption");
  const hForeignOption = sync("getForeignCephOption");
  const hStandbyGet = sync("get");
  const aTell = async("sendDaemonCommand");
  /** sendCommand(cmd, inbuf, {target, tag}): to one daemon, or the mon cluster with the caller's tag */
  function sendTargeted(json, inbuf, opts) {
    if (opts === null || typeof opts !== "object")
      return PromiseC.reject(
        new TypeErrorC(
          `sendCommand(): options must be an object such as {target: "osd.0"}, got ${opts === null ? "null" : typeof opts}`,
        ),
      );
    const target = opts.target === undefined ? "mon" : opts.target;
    const tag = opts.tag === undefined ? "" : opts.tag;
    if (typeof target !== "string")
      return PromiseC.reject(
        new TypeErrorC(`sendCommand(): options.target must be a string such as "osd.0", got ${typeof target}`),
      );
    if (typeof tag !== "string")
      return PromiseC.reject(new TypeErrorC(`sendCommand(): options.tag must be a string, got ${typeof tag}`));
    return aTell(json, inbuf, target, tag).then(parse);
  }
  /** A standby's get(): "mgr_ips" only (Pacific's standby answers nothing else); the rest is refused by name. */
  function standbyGet(name) {
    if (typeof name !== "string") throw new TypeErrorC(`get(): the data name must be a string, got ${typeof name}`);
    if (name !== "mgr_ips") {
      const e = denied("get");
      e.message = `get(${JSONstringify(name)}) is not available on a standby daemon: a standby reads only get("mgr_ips"); MgrStandbyModule offers only ${ALLOWED_ON_STANDBY}`;
      throw e;
    }
    return deepFreeze(parse(hStandbyGet(name)));
  }

  const api = freeze({
    log,
    stopping: () => stopping,
    sleep,
    getMgrId: readMgrId,
    getMgrIp: () => hMgrIp(),
    getActiveUri: () => hActiveUri(),
    getModuleOption: readOption,
    setModuleOption: (name, value) => aSetOption(StringC(name), str(value === undefined ? null : value)),
    get: ROLE === "standby" ? standbyGet : get,
    getServer: (host) => deepFreeze(parse(hServer(StringC(host)))),
    listServers: () => deepFreeze(parse(hServers())),
    getMetadata: (t, id) => deepFreeze(parse(hMeta(StringC(t), StringC(id)))),
    getDaemonStatus: (t, id) => deepFreeze(parse(hDaemonStatus(StringC(t), StringC(id)))),
    getPerfSchema: (t, id) => deepFreeze(parse(hSchema(StringC(t), StringC(id)))),
    getCounter: (t, id, p) => deepFreeze(parse(hCounter(StringC(t), StringC(id), StringC(p)))),
    getLatestCounter: (t, id, p) => deepFreeze(parse(hLatest(StringC(t), StringC(id), StringC(p)))),
    haveMonConnection: () => hMonConn(),
    sendCommand: (cmd, inbuf, opts) => {
      let json;
      try {
        json = JSONstringify(cmd);
      } catch (e) {
        return PromiseC.reject(new TypeErrorC(`sendCommand(): the command must be plain JSON data: ${e.message}`));
      }
      if (opts !== undefined) return sendTargeted(json, inbuf === undefined ? "" : inbuf, opts);
      return aSend(json, inbuf === undefined ? "" : inbuf).then(parse);
    },
    // Values are passed as given (not stringified) so the host can refuse non-strings by type.
    getStore: readStore,
    setStore: (key, value) => aSetStore(key, value),
    getStorePrefix: readStorePrefix,
    setHealthChecks: (checks) => hHealth(JSONstringify(checks === undefined ? {} : checks)),
    serveHttp: (handler, options) => {
      if (typeof handler !== "function") throw new TypeErrorC("serveHttp(): the handler must be a function");
      const address = options && options.address !== undefined ? StringC(options.address) : "";
      const uri = hServeHttp(address);
      httpHandler = handler;
      return uri;
    },
    // ---- remote calls, progress events, cluster log (issue 15) ----
    remote: (module, method, ...args) => {
      let json;
      try {
        json = plainJson(args, "remote(): argument ", true);
      } catch (e) {
        return PromiseC.reject(e);
      }
      return aRemote(module, method, json).then((r) => {
        if (r[0] === "r") return r.length === 1 ? undefined : JSONparse(r.slice(1));
        const { name, message } = JSONparse(r.slice(1));
        const e = new ErrorC(message);
        e.name = name;
        throw e;
      });
    },
    updateProgressEvent: (id, message, fraction, options) => {
      const o = options === undefined || options === null ? {} : options;
      hProgress(
        id,
        message,
        fraction,
        plainJson({ refs: o.refs, addToCephS: o.addToCephS }, "updateProgressEvent(): options", false),
      );
    },
    completeProgressEvent: (id) => hProgressDone(id),
    failProgressEvent: (id, message) => hProgressFail(id, message),
    clusterLog: (channel, priority, message) => hClusterLog(channel, priority, message),
    // ---- per-daemon settings (localized options and store) ----
    getLocalizedModuleOption: readLocalizedOption,
    setLocalizedModuleOption: (name, value) => aSetLocalOption(StringC(name), str(value === undefined ? null : value)),
    getLocalizedStore: readLocalizedStore,
    setLocalizedStore: (key, value) => aSetLocalStore(key, value),
    // ---- perf counters, daemon commands, Ceph options ----
    getAllPerfCounters: (prioLimit, services) => {
      if (services !== undefined && !ArrayIsArray(services))
        throw new TypeErrorC(
          `getAllPerfCounters(): the service types must be an array of strings such as ["osd", "mon"], got ${typeof services}`,
        );
      return deepFreeze(parse(hAllPerf(prioLimit, services === undefined ? "" : JSONstringify(services))));
    },
    getCephOption: (key) => parse(hCephOption(key)),
    getForeignCephOption: (entity, key) => parse(hForeignOption(entity, key)),
  });
  defineProperty(G, "__tsmgr", { value: api, enumerable: false, writable: false, configurable: false });

  // ---- web-standard globals (issue 18 items 3, 4): runtime/sandbox/globals/web/ -----------
  // The globals script ran before this one and left its installer among the __h_ globals; it
  // gets the host functions and the timers here, so no module code can reach either.
  if (typeof h.webInstall === "function") {
    h.webInstall({
      random: sync("webRandom"),
      digest: async("webDigest"),
      urlSource: sync("webUrlSource"),
      fetch: async("fetch"),
      fetchAbort: sync("fetchAbort"),
      setTimeout: timerApi.setTimeout,
      clearTimeout: timerApi.clearTimeout,
    });
  }

  // ---- plain data: what remote calls carry -----------------------------------------------
  const ArrayProto = Array.prototype;
  const isFiniteC = Number.isFinite;
  /**
   * JSON text of `v`, refusing with a TypeError what JSON would silently change: functions,
   * symbols, bigints, NaN, class instances (Map, Date, ...), accessors, cycles. `elems`: `v` is
   * an argument list, named "argument N" in messages.
   */
  function plainJson(v, what, elems) {
    const seen = [];
    function walk(x, at) {
      const t = typeof x;
      if (x === null || x === undefined || t === "string" || t === "boolean") return;
      if (t === "number") {
        if (!isFiniteC(x)) throw new TypeErrorC(`${at} is ${x}: remote data must be plain JSON data`);
        return;
      }
      if (t !== "object")
        throw new TypeErrorC(
          `${at} is a ${t}: remote data must be plain JSON data (objects, arrays, strings, numbers, booleans, null)`,
        );
      const proto = getPrototypeOf(x);
      const arr = ArrayIsArray(x);
      if (arr ? proto !== ArrayProto : proto !== ObjectProto && proto !== null)
        throw new TypeErrorC(`${at} is not a plain object or array: remote data must be plain JSON data`);
      if (seen.includes(x) || seen.length > 100)
        throw new TypeErrorC(`${at} refers to itself or nests more than 100 levels`);
      seen.push(x);
      for (const k of ownKeys(x)) {
        if (typeof k !== "string") throw new TypeErrorC(`${at} has a symbol key: remote data must be plain JSON data`);
        if (arr && k === "length") continue;
        const d = getOwnPropertyDescriptor(x, k);
        if (!("value" in d)) throw new TypeErrorC(`${at}.${k} is an accessor: remote data must be plain JSON data`);
        walk(d.value, arr ? `${at}[${k}]` : `${at}.${k}`);
      }
      seen.pop();
    }
    if (elems) for (let i = 0; i < v.length; i++) walk(v[i], what + i);
    else walk(v, what);
    return JSONstringify(v);
  }

  // ---- the dispatcher: the only way the host calls in -----------------------------------
  let exportsObj;
  let instance;
  const METHODS = {
    active: ["serve", "notify", "handleCommand", "shutdown", "configNotify"],
    standby: ["serve", "shutdown"],
  };

  function staticList(cls, key) {
    const v = cls[key];
    return v === undefined ? undefined : JSONstringify(v);
  }

  function load(exp) {
    exportsObj = exp;
    const KIND = Symbol.for("tsmgr.kind");
    const Active = exp && exp.default;
    const Standby = exp && exp.Standby;
    return JSONstringify({
      activeKind: typeof Active === "function" ? (Active[KIND] ?? "class") : typeof Active,
      standbyKind:
        Standby === undefined ? "none" : typeof Standby === "function" ? (Standby[KIND] ?? "class") : typeof Standby,
      commands: typeof Active === "function" ? staticList(Active, "COMMANDS") : undefined,
      options: typeof Active === "function" ? staticList(Active, "MODULE_OPTIONS") : undefined,
      standbyOptions: typeof Standby === "function" ? staticList(Standby, "MODULE_OPTIONS") : undefined,
      notifyTypes: typeof Active === "function" ? staticList(Active, "NOTIFY_TYPES") : undefined,
      exports: typeof Active === "function" ? staticList(Active, "EXPORTS") : undefined,
      permissions: typeof Active === "function" ? staticList(Active, "PERMISSIONS") : undefined,
      ...canRunOf(Active),
    });
  }

  /** Ceph's can_run / error_string: `static canRun = false` + `static errorString`, or `static canRun()` → [ok, why]. */
  function canRunOf(cls) {
    if (typeof cls !== "function") return {};
    let v = cls.canRun;
    let why = cls.errorString;
    if (typeof v === "function") {
      const r = v.call(cls);
      if (ArrayIsArray(r)) {
        why = r[1];
        v = r[0];
      } else v = r;
    }
    if (v === undefined) return {};
    return { canRun: v !== false, errorString: typeof why === "string" ? cut(why, 1024) : "" };
  }

  async function http(req) {
    if (!httpHandler) return JSONstringify({ status: 503, headers: {}, body: "module has no HTTP handler" });
    const res = (await httpHandler(freeze(req))) || {};
    let body = res.body === undefined || res.body === null ? "" : res.body;
    let encoding = "utf8";
    if (body instanceof Uint8Array) {
      let bin = "";
      for (let i = 0; i < body.length; i++) bin += StringC.fromCharCode(body[i]);
      body = bin;
      encoding = "latin1";
    } else if (typeof body !== "string") body = StringC(body);
    const headers = {};
    if (res.headers && typeof res.headers === "object") {
      for (const k of ownKeys(res.headers)) if (typeof k === "string") headers[k] = StringC(res.headers[k]);
    }
    return JSONstringify({ status: res.status === undefined ? 200 : +res.status, headers, body, encoding });
  }

  /** A string data property found along the prototype chain, without running any getter. */
  function dataString(o, key) {
    for (let p = o; p !== null && p !== undefined; p = getPrototypeOf(p)) {
      const d = getOwnPropertyDescriptor(p, key);
      if (d) return typeof d.value === "string" ? d.value : undefined;
    }
    return undefined;
  }

  /**
   * What a module throws, re-made as a plain Error while the call's time limit still applies:
   * isolated-vm would otherwise read `message`/`stack` after the call, where a looping getter
   * could never be stopped.
   */
  function plainError(e) {
    try {
      return plainErrorOf(e);
    } catch (inner) {
      // reading the thrown value ran module code that threw (a stack accessor, a Proxy trap)
      const err = new ErrorC("the module threw a value that could not be read");
      err.stack = `Error: ${err.message}`;
      return err;
    }
  }

  /**
   * The stack as the host will log it: the message cut to MAX_ERROR_MESSAGE, at most
   * MAX_STACK_FRAMES lines after it, each cut: a module throwing 1 MiB errors in a timer must
   * not make the daemon copy and log megabytes per second.
   */
  function boundedStack(name, message, shortMessage, stack) {
    const head = `${name}: ${message}`;
    const rest = stack.startsWith(head) ? stack.slice(head.length) : "\n" + stack;
    const lines = rest.split("\n", MAX_STACK_FRAMES + 2);
    let out = `${name}: ${shortMessage}`;
    for (let i = 1; i < lines.length && i <= MAX_STACK_FRAMES; i++) out += "\n" + cut(lines[i], MAX_FRAME_CHARS);
    if (lines.length > MAX_STACK_FRAMES + 1) out += "\n    …(more frames)";
    return out;
  }

  function plainErrorOf(e) {
    if (e === null || (typeof e !== "object" && typeof e !== "function")) {
      const text = cut(typeof e === "symbol" ? e.toString() : StringC(e), MAX_ERROR_MESSAGE);
      const err = new ErrorC(text);
      err.stack = `Error: ${text}`;
      return err;
    }
    const name = cut(dataString(e, "name") ?? "Error", 256);
    const fullMessage = dataString(e, "message") ?? "";
    const message = cut(fullMessage, MAX_ERROR_MESSAGE);
    let stack;
    try {
      // V8 formats `stack` when its descriptor is read, through the module's prepareStackTrace
      stack = dataString(e, "stack");
    } catch {
      stack = undefined;
    }
    const err = new ErrorC(message);
    err.name = name;
    err.stack = stack === undefined ? `${name}: ${message}` : boundedStack(name, fullMessage, message, stack);
    return err;
  }

  return async function dispatch(op, arg, g, pushed, ...texts) {
    try {
      if (typeof pushed === "string") takePushed(JSONparse(pushed), texts);
      return await run(op, arg, g);
    } catch (e) {
      throw plainError(e);
    }
  };

  async function run(op, arg, g) {
    if (typeof g === "number") gen = g;
    switch (op) {
      case "load":
        return load(arg);
      case "construct": {
        const cls = arg === "standby" ? exportsObj.Standby : exportsObj.default;
        instance = new cls();
        return undefined;
      }
      case "call": {
        const { method, args } = JSONparse(arg);
        if (!METHODS[ROLE].includes(method)) throw new ErrorC(`no such entry point: ${method}`);
        runningIn = method;
        const f = instance && instance[method];
        if (typeof f !== "function") return undefined;
        const result = await f.apply(instance, ArrayIsArray(args) ? args : []);
        return str(result);
      }
      case "timer": {
        const t = timers.get(arg);
        if (!t) return undefined;
        if (!t.repeat) timers.delete(arg);
        runningIn = t.label;
        t.fn.apply(undefined, t.args);
        return undefined;
      }
      case "stop": {
        stopping = true;
        for (const [resolve, id] of sleepers) {
          clearTimer(id);
          resolve();
        }
        sleepers.clear();
        return undefined;
      }
      case "http":
        return http(JSONparse(arg));
      case "export": {
        // a remote() call from another module (the host checked EXPORTS), or the daemon's selfTest
        const { method, args, internal } = JSONparse(arg);
        const listed = exportsObj.default && exportsObj.default.EXPORTS;
        const allowed = (internal && method === "selfTest") || (ArrayIsArray(listed) && listed.includes(method));
        if (!allowed) throw new ErrorC(`${method} is not in this module's static EXPORTS`);
        const f = instance && instance[method];
        if (typeof f !== "function") {
          if (internal) return undefined;
          throw new TypeErrorC(`EXPORTS lists ${method}, but the module has no method of that name`);
        }
        // the answer is "r" + JSON, or "e" + {name, message}: a rejection would lose its name crossing
        try {
          const result = await f.apply(instance, ArrayIsArray(args) ? args : []);
          return "r" + (result === undefined ? "" : plainJson(result, `the result of ${method}()`, false));
        } catch (e) {
          const err = plainError(e);
          return "e" + JSONstringify({ name: err.name, message: err.message });
        }
      }
      case "push":
        return undefined;
      default:
        throw new ErrorC(`unknown dispatcher op ${op}`);
    }
  }
})();
