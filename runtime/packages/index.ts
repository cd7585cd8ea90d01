// Module packages: pack, sign, verify and install (with rollback) a module as a .tgz.
export { PackageInstaller, type InstallerDeps, type InstallRequest, type InstallResult } from "./installer.ts";
export { checkIntegrity, integrityOf } from "./integrity.ts";
export { keyIdOf, privateKeyFrom, publicKeyFrom } from "./keys.ts";
export { MANIFEST_FILE, parseManifest, type PackageManifest } from "./manifest.ts";
export { packDirectory, type Packed } from "./pack.ts";
export { PackageError } from "./package-error.ts";
export { checkSignature, signPackage, SIGNATURE_SUFFIX, type SignatureCheck, type TrustPolicy } from "./signature.ts";
export { checkedPath, unpackPackage, MAX_ENTRIES, type Unpacked } from "./unpack.ts";
