// node:crypto as the client bundle sees it (bin/build-bundle.js points its imports here): the
// module itself, required on the first look at it rather than when the code importing it loads.
// The client's config loader imports it for `trust` keys; its start (OpenSSL's included) would
// cost every `tsmgr status` ~2 ms that most calls never use.
"use strict";
let crypto;
const load = () => (crypto ??= require("node:crypto"));
module.exports = new Proxy(
  {},
  {
    get: (_, k) => load()[k],
    has: (_, k) => k in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, k) => {
      const d = Reflect.getOwnPropertyDescriptor(load(), k);
      // a Proxy may not report a property its (empty) target lacks as non-configurable
      return d && { ...d, configurable: true };
    },
  },
);
