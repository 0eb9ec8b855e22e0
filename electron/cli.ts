import { candidatesCommand, entitiesCommand, generateSplitCommand, mergeSplitsCommand } from './node/cli/candidates-commands.ts';
import { dgm4EvaluateCommand, dgm4PredictionsCommand, exportDgm4Command, saliencyGroundingCommand } from './node/cli/dgm4-commands.ts';
import { OocError } from './common/errors.ts';
import { explainDatabaseError, lastOpenedDatabase } from './node/store/db.ts';
import { parseCommandArgs, type Command } from './node/cli/args.ts';
import { demoCommand } from './node/cli/demo-command.ts';
import { exportCommand } from './node/cli/export-command.ts';
import { saliencyCommand } from './node/cli/saliency-command.ts';
import { embedCommand, importEmbeddingsCommand, installModelCommand, modelsCommand, neighboursCommand, scoresCommand, annIndexCommand } from './node/cli/embed-commands.ts';
import { checkImagesCommand, thumbnailCommand } from './node/cli/images-commands.ts';
import { hashImagesCommand, vetCommand } from './node/cli/vetting-commands.ts';
import { indexCommand } from './node/cli/index-command.ts';
import { serveCommand, startCommand } from './node/cli/serve-command.ts';
import { statsCommand } from './node/cli/stats-command.ts';
import { evaluateCommand, predictionsCommand, tokenReportCommand } from './node/cli/evaluation-commands.ts';
import { trainHeadCommand } from './node/cli/head-commands.ts';

/** The `ooc` command line: `npm run ooc -- <command> [options]`. */
const COMMANDS: Command[] = [indexCommand, statsCommand, serveCommand, startCommand, checkImagesCommand, thumbnailCommand, demoCommand, embedCommand, importEmbeddingsCommand, modelsCommand, installModelCommand, scoresCommand, neighboursCommand, annIndexCommand, saliencyCommand, exportCommand, predictionsCommand, evaluateCommand, tokenReportCommand, trainHeadCommand, hashImagesCommand, vetCommand, exportDgm4Command, dgm4PredictionsCommand, dgm4EvaluateCommand, saliencyGroundingCommand, candidatesCommand, generateSplitCommand, mergeSplitsCommand, entitiesCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `OOC Workbench command line

usage: npm run ooc -- <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`npm run ooc -- <command> --help\` for a command's options.
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw new OocError('BAD_ARGUMENT', `unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  const { values, positionals } = parseCommandArgs(command, rest);
  if (values.help === true) {
    process.stdout.write(`${command.summary}\n\nusage: ${command.usage}\n`);
    return 0;
  }
  return command.run(values, positionals);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (thrown: unknown) => {
    const file = lastOpenedDatabase();
    const err = file === null ? thrown : explainDatabaseError(thrown, file);
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof OocError ? err.code : 'INTERNAL';
    process.stderr.write(`ooc: ${message}\n`);
    if (code === 'INTERNAL' && err instanceof Error && process.env.OOC_DEBUG) process.stderr.write(`${err.stack}\n`);
    process.exitCode = code === 'BAD_ARGUMENT' ? 2 : 1;
  },
);
