/**
 * Ctrl-C (and SIGTERM, as `kill` or a service manager sends) for long jobs: the first asks the job to stop after its current step (it resumes later
 * from its last commit) and says so; another, a second or more later, quits at once, which is
 * safe since every commit is atomic. A copy of the first arriving within a second (the terminal
 * and `tsx` both deliver it) is ignored. Returns a function that removes the handler.
 */
export function handleInterrupts(controller: AbortController, what: string): () => void {
  let firstAt = 0;
  const onSignal = (): void => {
    const now = Date.now();
    if (firstAt === 0) {
      firstAt = now;
      process.stderr.write(`\nStopping ${what} after the current step (Ctrl-C again to quit now); the next run continues from here.\n`);
      controller.abort();
    } else if (now - firstAt > 1000) {
      process.stderr.write(`Stopped. Run the same command again to continue.\n`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
