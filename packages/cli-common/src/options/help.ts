import { SYSTEM_CONFIG_FILE } from '../config/astools.js';
import { type HelpGroup, type OptionSpec, optionTable, type ToolName } from './table.js';

/** The version text of `--version`. */
export function formatVersion(tool: ToolName, version = '0.0.0'): string {
  return `${tool === 'asbackup' ? 'Aerospike Backup' : 'Aerospike Restore'}\nVersion ${version}\n`;
}

const HEADINGS: Record<HelpGroup, (tool: ToolName) => string> = {
  general: () => '',
  cluster: () => '[cluster]',
  tool: (tool) => `[${tool}]`,
  'config-file': (tool) =>
    [
      'Configuration files',
      `Read in this order: ${SYSTEM_CONFIG_FILE} ~/.aerospike/astools.conf, then --config-file.`,
      `Sections read: cluster ${tool} secret-agent include (with --instance NAME: <section>_NAME).`,
    ].join('\n'),
  'secret-agent': () =>
    [
      '[secret-agent]',
      'Option values (command line and config file) may be secrets:[<resource>:]<key>;',
      'they are fetched from the Aerospike Secret Agent. The options below cannot be secrets.',
    ].join('\n'),
};

const ORDER: readonly HelpGroup[] = ['general', 'cluster', 'tool', 'config-file', 'secret-agent'];
const COLUMN = 22;

function usageOf(spec: OptionSpec): string {
  const long = `--${spec.name}`;
  const arg =
    spec.arg === 'none'
      ? ''
      : spec.arg === 'optional'
        ? `[=${spec.argName ?? 'VALUE'}]`
        : ` ${spec.argName ?? 'VALUE'}`;
  return ` ${spec.short ? `-${spec.short}, ` : '    '}${long}${arg}`;
}

/** `--help` text, grouped like the official help: general, [cluster], tool, files, agent. */
export function formatHelp(tool: ToolName): string {
  const lines = [`Usage: ${tool} [OPTIONS]`, '-'.repeat(78)];
  const table = optionTable(tool);
  for (const group of ORDER) {
    const heading = HEADINGS[group](tool);
    if (heading) lines.push('', heading);
    for (const spec of table) {
      if (spec.group !== group || spec.hidden) continue;
      const usage = usageOf(spec);
      const help = spec.docDefault ? `${spec.help} Default: ${spec.docDefault}` : spec.help;
      if (usage.length < COLUMN - 1) lines.push(usage.padEnd(COLUMN) + help);
      else lines.push(usage, ' '.repeat(COLUMN) + help);
    }
  }
  return `${lines.join('\n')}\n`;
}
