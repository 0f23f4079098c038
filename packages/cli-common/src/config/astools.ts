import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { UsageError } from '../errors.js';
import { type OptionSpec, optionTable, type ToolName } from '../options/table.js';
import { isSecretRef, type SecretAgentConfig, SecretAgentError } from '../secret-agent/client.js';

/** Where the official tools look, in this order, before `--config-file`. */
export const SYSTEM_CONFIG_FILE = '/etc/aerospike/astools.conf';
export const USER_CONFIG_FILE = '.aerospike/astools.conf';

/** One key of a config file, typed but not yet converted to an option value. */
export interface ConfigAssignment {
  /** Option the key sets; undefined for TOML-only keys (asrestore `bandwidth`, `tps`). */
  spec?: OptionSpec;
  key: string;
  /** TOML bool for flags; otherwise the text (integers as decimal text). */
  value: string | boolean;
  /** The value came from the Secret Agent (file-valued options then carry content). */
  secret?: Buffer;
  file: string;
  section: string;
  line?: number;
  level: number;
}

export type SecretFetcher = (cfg: SecretAgentConfig, ref: string) => Promise<Buffer>;

export interface LoadConfigOptions {
  tool: ToolName;
  instance?: string;
  /** Secret Agent settings; updated in place by `[secret-agent]` sections. */
  agent: SecretAgentConfig;
  fetchSecret: SecretFetcher;
}

/** TOML-only asrestore keys. */
const RESTORE_TOML_ONLY = new Set(['bandwidth', 'tps']);

/**
 * Loads config files in order (missing ones are skipped). For each file: its secret-agent
 * section, then `[cluster]` and the tool's section (secrets fetched at once with the agent
 * settings so far), then `[include]` (depth ≤ 3).
 */
export async function loadConfigFiles(
  files: readonly string[],
  opts: LoadConfigOptions,
): Promise<ConfigAssignment[]> {
  const out: ConfigAssignment[] = [];
  for (const file of files) await loadConfigFile(file, 0, opts, out);
  return out;
}

type Table = Record<string, unknown>;

async function loadConfigFile(
  file: string,
  level: number,
  opts: LoadConfigOptions,
  out: ConfigAssignment[],
): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return; // like fopen failing: a missing file is not an error
  }
  const parseError = (errbuf: string, detailLines: string[] = [], line?: number) =>
    new UsageError(`Parse error \`${errbuf}\` in file [${level}:${file}]`, {
      file,
      line,
      raw: true,
      detailLines,
      code: 'CONFIG',
    });
  let doc: Table;
  try {
    doc = parseToml(text, { integersAsBigInt: true }) as Table;
  } catch (e) {
    throw parseError((e as Error).message.split('\n')[0]);
  }

  const sectionOf = (base: string, fallback: boolean): [string, Table | undefined] => {
    if (opts.instance !== undefined) {
      const name = `${base}_${opts.instance}`;
      if (isTable(doc[name])) return [name, doc[name] as Table];
      if (!fallback) return [name, undefined];
    }
    return [base, isTable(doc[base]) ? (doc[base] as Table) : undefined];
  };
  const lineOf = (section: string, key: string) => findKeyLine(text, section, key);

  const [saName, saTable] = sectionOf('secret-agent', true);
  if (saTable) applyAgentSection(saTable, saName, opts.agent, parseError);

  const table = optionTable(opts.tool);
  const sections: [string, Table | undefined, 'cluster' | 'tool'][] = [
    [...sectionOf('cluster', false), 'cluster'],
    [...sectionOf(opts.tool, true), 'tool'],
  ];
  for (const [section, values, group] of sections) {
    if (!values) continue;
    for (const [key, raw] of Object.entries(values)) {
      const line = lineOf(section, key);
      const invalid = () =>
        parseError(`Invalid parameter value for \`${key}\` in \`${section}\` section`, [], line);
      const lower = key.toLowerCase();
      const spec = table.find(
        (s) =>
          s.toml !== null &&
          (group === 'cluster' ? s.group === 'cluster' : s.group !== 'cluster') &&
          ((s.tomlKey ?? s.name) === lower || (s.tomlAliases ?? []).includes(lower)),
      );
      const tomlOnly = group === 'tool' && opts.tool === 'asrestore' && RESTORE_TOML_ONLY.has(lower);
      if (!spec && !tomlOnly) {
        throw parseError(
          group === 'cluster' ? `Unknown parameter \`${key}\` in \`${section}\` section.` : '',
          [...(group === 'cluster' ? [] : [`Unknown parameter \`${key}\` in \`${section}\` section`])],
        );
      }
      const type = spec ? spec.toml : 'int';
      let secret: Buffer | undefined;
      let value: string | boolean;
      if (typeof raw === 'string' && isSecretRef(raw)) {
        try {
          secret = await opts.fetchSecret(opts.agent, raw);
        } catch (e) {
          const lines = e instanceof SecretAgentError ? e.logLines() : [(e as Error).message];
          throw parseError('', [...lines, `failed requesting secret: ${raw}`]);
        }
        value = secretText(secret);
        // The secret text is read as the option's TOML type.
        if (type === 'int') {
          if (!/^[+-]?(0|[1-9](_?\d)*)$/.test(value)) throw invalid();
          value = BigInt(value.replaceAll('_', '')).toString();
        } else if (type === 'bool') {
          if (value !== 'true' && value !== 'false') throw invalid();
          value = value === 'true';
        }
      } else if (type === 'string') {
        if (typeof raw !== 'string') throw invalid();
        value = raw;
      } else if (type === 'int') {
        if (typeof raw !== 'bigint') throw invalid();
        value = raw.toString();
      } else {
        if (typeof raw !== 'boolean') throw invalid();
        value = raw;
      }
      out.push({ spec, key: lower, value, secret, file, section, line, level });
    }
  }

  const include = doc.include;
  if (isTable(include)) {
    for (const [key, raw] of Object.entries(include as Table)) {
      const lower = key.toLowerCase();
      if (lower !== 'file' && lower !== 'directory') {
        throw parseError('', [`Unknown parameter \`${key}\` in \`include\` section.`]);
      }
      if (typeof raw !== 'string')
        throw parseError('', [`Invalid parameter value for \`${key}\` in \`include\` section.`]);
      if (level + 1 > 3) throw parseError('', [`include max recursion level ${level + 1}`]);
      if (lower === 'file') await loadConfigFile(raw, level + 1, opts, out);
      else await loadConfigDir(raw, level + 1, opts, out, parseError);
    }
  }
}

async function loadConfigDir(
  dir: string,
  level: number,
  opts: LoadConfigOptions,
  out: ConfigAssignment[],
  parseError: (errbuf: string, lines?: string[]) => UsageError,
): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    throw parseError('', [`Failed to open directory ${dir}`]);
  }
  for (const name of names) {
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    // Errors inside an included directory are skipped, as the official tools do.
    const before = out.length;
    try {
      if (st?.isDirectory()) await loadConfigDir(path, level, opts, out, parseError);
      else if (st?.isFile()) await loadConfigFile(path, level, opts, out);
    } catch {
      out.length = before;
    }
  }
}

function applyAgentSection(
  values: Table,
  section: string,
  agent: SecretAgentConfig,
  parseError: (errbuf: string, lines?: string[]) => UsageError,
): void {
  let portGiven = false;
  for (const [key, raw] of Object.entries(values)) {
    const invalid = () => parseError(`Invalid parameter value for \`${key}\` in \`${section}\` section`);
    switch (key.toLowerCase()) {
      case 'sa-address':
        if (typeof raw !== 'string') throw invalid();
        agent.address = raw;
        break;
      case 'sa-port':
        // The official parser takes only a string; an integer is accepted here as well.
        if (typeof raw === 'string') agent.port = raw;
        else if (typeof raw === 'bigint') agent.port = raw.toString();
        else throw invalid();
        portGiven = true;
        break;
      case 'sa-timeout':
        if (typeof raw !== 'bigint') throw invalid();
        agent.timeoutMs = Number(raw);
        break;
      case 'sa-cafile':
        if (typeof raw !== 'string') throw invalid();
        try {
          agent.caPem = readFileSync(raw);
        } catch {
          throw invalid();
        }
        break;
      default:
        throw parseError('', [`Unknown parameter \`${key}\` in \`${section}\` section`]);
    }
  }
  // An embedded port becomes the section's port unless sa-port was given.
  const split = splitEmbeddedPort(agent.address);
  if (split) {
    agent.address = split.host;
    if (!portGiven) agent.port = split.port;
  }
}

/** `h:p` or `[v6]:p` → host and port; anything else → undefined. */
export function splitEmbeddedPort(address: string): { host: string; port: string } | undefined {
  const bracket = /^\[([^\]]*)\]:(.*)$/.exec(address);
  if (bracket) return { host: bracket[1], port: bracket[2] };
  const colons = address.split(':').length - 1;
  if (colons === 1) {
    const i = address.indexOf(':');
    return { host: address.slice(0, i), port: address.slice(i + 1) };
  }
  return undefined;
}

/** Secret bytes as text, cut at the first NUL like the C tools. */
function secretText(secret: Buffer): string {
  const nul = secret.indexOf(0);
  return (nul < 0 ? secret : secret.subarray(0, nul)).toString('utf8');
}

function isTable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** 1-based line of `key` inside `[section]`, for error locations (best effort). */
function findKeyLine(text: string, section: string, key: string): number | undefined {
  const lines = text.split('\n');
  let inSection = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    const header = /^\[\s*"?([^\]"]+)"?\s*\]/.exec(l);
    if (header) {
      inSection = header[1].trim() === section;
      continue;
    }
    if (inSection && new RegExp(`^["']?${escapeRe(key)}["']?\\s*=`).test(l)) return i + 1;
  }
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
