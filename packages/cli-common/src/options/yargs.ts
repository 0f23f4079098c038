import type { Argv, Options } from 'yargs';
import { type HelpGroup, optionTable, type ToolName } from './table.js';

const GROUP_TITLES: Record<HelpGroup, (tool: ToolName) => string> = {
  general: () => 'General:',
  cluster: () => '[cluster]',
  tool: (tool) => `[${tool}]`,
  'config-file': () => 'Configuration files:',
  'secret-agent': () => '[secret-agent]',
};

/**
 * yargs option definitions built from a tool's option table (names, short flags, groups,
 * descriptions). Values stay strings: conversion, config files and secrets are the job of
 * `parseAsbackupArgs`/`parseAsrestoreArgs`, which the CLIs should call on raw argv.
 */
export function yargsOptions(tool: ToolName): Record<string, Options> {
  const out: Record<string, Options> = {};
  for (const spec of optionTable(tool)) {
    if (spec.name === 'help' || spec.name === 'version') continue;
    out[spec.name] = {
      alias: [...(spec.short ? [spec.short] : []), ...(spec.aliases ?? [])],
      type: spec.arg === 'none' ? 'boolean' : 'string',
      describe: spec.docDefault ? `${spec.help} Default: ${spec.docDefault}` : spec.help,
      group: GROUP_TITLES[spec.group](tool),
      hidden: spec.hidden,
      requiresArg: spec.arg === 'required',
    };
  }
  return out;
}

/** Applies the table to a yargs instance (strict, no yargs help/version: ours are official). */
export function configureYargs<T>(y: Argv<T>, tool: ToolName): Argv<T> {
  return y.options(yargsOptions(tool)).strict().help(false).version(false) as unknown as Argv<T>;
}
