import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OocError } from '../../common/errors.ts';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

/** Parses a command's arguments, turning unknown or malformed options into a usage error. */
export function parseCommandArgs(command: Command, argv: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (err) {
    throw new OocError('BAD_ARGUMENT', `${err instanceof Error ? err.message : String(err)} (see: ooc ${command.name} --help)`);
  }
}

export function requireString(values: Record<string, string | boolean | undefined>, name: string, command: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new OocError('BAD_ARGUMENT', `missing --${name} (see: ooc ${command} --help)`);
  return v;
}

export function optionalString(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
