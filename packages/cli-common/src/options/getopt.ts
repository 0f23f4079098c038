import { UsageError } from '../errors.js';
import type { OptionSpec } from './table.js';

/** One option as it appeared on the command line. */
export interface Occurrence {
  spec: OptionSpec;
  /** The argument, if any (`undefined` for flags and bare optional-argument options). */
  value?: string;
  /** How the user spelled the option (`--input`, `-i`), for messages. */
  spelled: string;
}

export interface GetoptResult {
  occurrences: Occurrence[];
  positionals: string[];
}

export const HELP_HINT = 'Run with --help for usage information and flag options';

/**
 * getopt_long-compatible parsing: unique-prefix long options, `--opt=value` and
 * `--opt value`, bundled short flags, attached short arguments, and optional arguments
 * (`-Pxyz`, `--password=xyz`, or the next word when it does not start with `-`).
 */
export function getopt(argv: readonly string[], table: readonly OptionSpec[], program: string): GetoptResult {
  const occurrences: Occurrence[] = [];
  const positionals: string[] = [];
  const fail = (message: string, option?: string) =>
    new UsageError(`${program}: ${message}`, { raw: true, hint: HELP_HINT, option, code: 'BAD_OPTION' });

  const longNames: { name: string; spec: OptionSpec }[] = [];
  for (const spec of table) {
    longNames.push({ name: spec.name, spec });
    for (const alias of spec.aliases ?? []) longNames.push({ name: alias, spec });
  }

  let i = 0;
  while (i < argv.length) {
    const word = argv[i++];
    if (word === '--') {
      positionals.push(...argv.slice(i));
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const typed = word.slice(2, eq < 0 ? undefined : eq);
      const attached = eq < 0 ? undefined : word.slice(eq + 1);
      const spec = matchLong(typed, longNames, fail);
      const spelled = `--${typed}`;
      if (spec.arg === 'none') {
        if (attached !== undefined)
          throw fail(`option '--${spec.name}' doesn't allow an argument`, spec.name);
        occurrences.push({ spec, spelled });
      } else if (spec.arg === 'required') {
        if (attached !== undefined) occurrences.push({ spec, value: attached, spelled });
        else if (i < argv.length) occurrences.push({ spec, value: argv[i++], spelled });
        else throw fail(`option '--${spec.name}' requires an argument`, spec.name);
      } else if (attached !== undefined) {
        occurrences.push({ spec, value: attached, spelled });
      } else if (i < argv.length && !argv[i].startsWith('-')) {
        occurrences.push({ spec, value: argv[i++], spelled });
      } else {
        occurrences.push({ spec, spelled });
      }
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      for (let c = 1; c < word.length; c++) {
        const letter = word[c];
        const spec = table.find((s) => s.short === letter);
        if (!spec) throw fail(`invalid option -- '${letter}'`);
        const spelled = `-${letter}`;
        const rest = word.slice(c + 1);
        if (spec.arg === 'none') {
          occurrences.push({ spec, spelled });
          continue;
        }
        if (rest !== '') occurrences.push({ spec, value: rest, spelled });
        else if (spec.arg === 'required') {
          if (i >= argv.length) throw fail(`option requires an argument -- '${letter}'`, spec.name);
          occurrences.push({ spec, value: argv[i++], spelled });
        } else if (i < argv.length && !argv[i].startsWith('-')) {
          occurrences.push({ spec, value: argv[i++], spelled });
        } else {
          occurrences.push({ spec, spelled });
        }
        break;
      }
      continue;
    }
    positionals.push(word);
  }
  return { occurrences, positionals };
}

function matchLong(
  typed: string,
  longNames: readonly { name: string; spec: OptionSpec }[],
  fail: (message: string) => UsageError,
): OptionSpec {
  const exact = longNames.find((l) => l.name === typed);
  if (exact) return exact.spec;
  const candidates = typed === '' ? [] : longNames.filter((l) => l.name.startsWith(typed));
  const specs = [...new Set(candidates.map((c) => c.spec))];
  if (specs.length === 1) return specs[0];
  if (specs.length === 0) throw fail(`unrecognized option '--${typed}'`);
  const names = specs.map((s) => `'--${s.name}'`).join(' ');
  throw fail(`option '--${typed}' is ambiguous; possibilities: ${names}`);
}
