// Public surface of runtime/commands: Ceph's command descriptor grammar, argument validation
// with ceph_argparse's matching rules, usage strings, and the real Ceph 16.2.15 corpus.

export {
  CEPH_TYPES,
  parseSignature,
  signatureToJson,
  type ArgDesc,
  type CephType,
  type JsonArg,
  type JsonSig,
  type JsonSigItem,
  type Signature,
} from "./descriptor.ts";
export { CommandTable, validateCommand, type CommandInput, type ValidationResult } from "./validate.ts";
export { argUsage, formatUsage } from "./usage.ts";
export { CommandFlags, loadCorpus, type CorpusEntry, type CorpusName } from "./corpus.ts";
