/**
 * The completion tag PostgreSQL sends for a command and its row count (`SELECT 3`, `INSERT 0 2`,
 * `UPDATE 1`, `DELETE 0`, `COPY 5`); commands without a count keep their word (`SET`, `BEGIN`).
 * INSERT carries PostgreSQL's historical OID field, always 0: clients parse the count after it.
 */
export function commandTag(command: string, rows: number): string {
  switch (command) {
    case 'SELECT':
    case 'UPDATE':
    case 'DELETE':
    case 'MERGE':
    case 'FETCH':
    case 'MOVE':
    case 'COPY':
      return `${command} ${rows}`;
    case 'INSERT':
      return `INSERT 0 ${rows}`;
    default:
      return command;
  }
}

/** True for the data-modifying commands: their row count is rows written, not rows returned. */
export function isWriteCommand(command: string): boolean {
  return command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
}
