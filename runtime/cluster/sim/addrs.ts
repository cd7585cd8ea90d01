// Entity addresses in the three spellings Ceph uses: addrvec objects, legacy "ip:port/nonce"
// strings and the bracketed "[v2:...,v1:...]" form of daemon metadata.
import type { OsdState } from "./model.ts";
import type { SimState } from "./state.ts";

/** Ports an OSD binds, relative to its portBase (v2 port; v1 is the next one). */
export const OSD_PORTS = { public: 0, cluster: 2, hbFront: 4, hbBack: 6 } as const;
export type OsdAddrKind = keyof typeof OSD_PORTS;

export function addrvecJson(ip: string, port: number, nonce: number): string {
  return `{"addrvec":[{"type":"v2","nonce":${nonce},"addr":"${ip}:${port}"},{"type":"v1","nonce":${nonce},"addr":"${ip}:${port + 1}"}]}`;
}

export function addrvecObject(ip: string, port: number, nonce: number) {
  return {
    addrvec: [
      { type: "v2", nonce, addr: `${ip}:${port}` },
      { type: "v1", nonce, addr: `${ip}:${port + 1}` },
    ],
  };
}

export function bracketAddr(ip: string, port: number, nonce: number): string {
  return `[v2:${ip}:${port}/${nonce},v1:${ip}:${port + 1}/${nonce}]`;
}

export function legacyAddr(ip: string, port: number, nonce: number): string {
  return `${ip}:${port + 1}/${nonce}`;
}

export function osdIp(state: SimState, osd: OsdState): string {
  return state.hosts[osd.host]!.ip;
}

export function osdPort(osd: OsdState, kind: OsdAddrKind): number {
  return osd.portBase + OSD_PORTS[kind];
}

export function monAddrvec(ip: string) {
  return {
    addrvec: [
      { type: "v2", nonce: 0, addr: `${ip}:3300` },
      { type: "v1", nonce: 0, addr: `${ip}:6789` },
    ],
  };
}
