/** Progress on a terminal for the commands that take a while. */

/**
 * A one-line progress note on stderr, rewritten in place, only on a
 * terminal and never in CI or for --json; null clears it. A search prints
 * nothing until it is done, and all of them take about a minute.
 */
export const progressNote = (json: boolean): ((text: string | null) => void) => {
  const on = !json && process.stderr.isTTY === true && process.env.CI === undefined;
  return (text) => {
    if (on) process.stderr.write(text === null ? '\r\x1b[K' : `\r\x1b[K${text.slice(0, (process.stderr.columns ?? 80) - 1)}`);
  };
};
