export { type CliStartIo, exitWith, interruptController, packageVersion, startCli } from './cli-run.js';
export { clusterConnectOptions } from './cluster-connect.js';
export {
  type ConfigAssignment,
  type LoadConfigOptions,
  loadConfigFiles,
  type SecretFetcher,
  SYSTEM_CONFIG_FILE,
  USER_CONFIG_FILE,
} from './config/astools.js';
export { EarlyExit, EXIT_FAILURE, EXIT_SUCCESS, UsageError, type UsageWhere } from './errors.js';
export { readFileValue } from './file-value.js';
export { type GetoptResult, getopt, HELP_HINT, type Occurrence } from './options/getopt.js';
export { formatHelp, formatVersion } from './options/help.js';
export {
  type ParseContext,
  parseAsbackupArgs,
  parseAsrestoreArgs,
  readTlsKeyPassword,
} from './options/parse.js';
export {
  type ArgForm,
  ASBACKUP_OPTIONS,
  ASRESTORE_OPTIONS,
  ASRESTORE_TOML_ONLY,
  type HelpGroup,
  type OptionSpec,
  optionTable,
  type TomlType,
  type ToolName,
} from './options/table.js';
export type {
  AsbackupOptions,
  AsrestoreOptions,
  ClusterOptions,
  CommonOptions,
  CompressMode,
  EncryptionKeySource,
  EncryptMode,
  FileValue,
  ParseNotice,
  S3LogLevel,
  S3Options,
  TlsOptions,
} from './options/types.js';
export { configureYargs, yargsOptions } from './options/yargs.js';
export { formatEta } from './output/eta.js';
export { errnoSuffix, formatLogLine, Logger, type LoggerOptions, type LogLevel } from './output/log.js';
export { MachineWriter } from './output/machine.js';
export { ProgressBar, type ProgressBarOptions } from './output/progress.js';
export { type PromptStreams, promptHidden } from './prompt.js';
export { reportParseError } from './report.js';
export {
  decodeSecretReply,
  defaultSecretAgentConfig,
  encodeSecretRequest,
  fetchSecret,
  isSecretRef,
  resolveAgentEndpoint,
  SA_DEFAULT_ADDRESS,
  SA_DEFAULT_PORT,
  SA_DEFAULT_TIMEOUT_MS,
  SaCode,
  type SecretAgentConfig,
  SecretAgentError,
  secretToString,
  splitSecretRef,
} from './secret-agent/client.js';
export {
  parseBackupNice,
  parseBackupSetList,
  parseCInteger,
  parseDateTime,
  parseRestoreNice,
  parseTrimmedList,
} from './values.js';
