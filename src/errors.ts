/** A SQL error carrying a PostgreSQL SQLSTATE; every error the engine raises on purpose is one of these. */
export class SqlError extends Error {
  /** Five-character SQLSTATE, e.g. '42601'. */
  readonly code: string;
  readonly detail?: string;
  readonly hint?: string;
  /** 1-based character offset into the statement text, as PostgreSQL reports it. */
  readonly position?: number;

  constructor(
    code: string,
    message: string,
    extra: { detail?: string; hint?: string; position?: number } = {},
  ) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    if (extra.detail !== undefined) this.detail = extra.detail;
    if (extra.hint !== undefined) this.hint = extra.hint;
    if (extra.position !== undefined) this.position = extra.position;
  }
}

/** 42601: the statement text cannot be parsed. */
export const syntaxError = (message: string, position?: number): SqlError =>
  new SqlError('42601', message, position === undefined ? {} : { position });

/** 42P01: a relation name is not in the catalog. */
export const undefinedTable = (name: string, hint?: string): SqlError =>
  new SqlError('42P01', `relation "${name}" does not exist`, hint === undefined ? {} : { hint });

/** 42703: a column name is not visible in scope. */
export const undefinedColumn = (name: string, hint?: string): SqlError =>
  new SqlError('42703', `column ${name} does not exist`, hint === undefined ? {} : { hint });

/** 42702: an unqualified column name matches more than one relation in scope. */
export const ambiguousColumn = (name: string): SqlError =>
  new SqlError('42702', `column reference "${name}" is ambiguous`);

/** 0A000: valid SQL the engine does not implement; the message names the construct. */
export const featureNotSupported = (construct: string, hint?: string): SqlError =>
  new SqlError('0A000', `${construct} is not supported`, hint === undefined ? {} : { hint });

/** 42804: operand types do not fit the operator or context. */
export const datatypeMismatch = (message: string): SqlError => new SqlError('42804', message);

/** 42883: no function or operator with this name and argument types. */
export const undefinedFunction = (signature: string, hint?: string): SqlError =>
  new SqlError('42883', `function ${signature} does not exist`, hint === undefined ? {} : { hint });

/** 42883: no operator for these operand types. */
export const undefinedOperator = (signature: string): SqlError =>
  new SqlError('42883', `operator does not exist: ${signature}`, {
    hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
  });

/** 22012: division (or modulo) by zero at run time. */
export const divisionByZero = (): SqlError => new SqlError('22012', 'division by zero');

/** 22P02: a text value cannot be read as the target type. */
export const invalidTextRepresentation = (type: string, value: string): SqlError =>
  new SqlError('22P02', `invalid input syntax for type ${type}: "${value}"`);

/** 22007/22008: a date/time value is malformed or out of range. */
export const invalidDatetime = (type: string, value: string): SqlError =>
  new SqlError('22007', `invalid input syntax for type ${type}: "${value}"`);

/** 22003: a numeric value is out of range for its type. */
export const numericOutOfRange = (type: string): SqlError => new SqlError('22003', `${type} out of range`);

/** 42803: a column is used outside an aggregate without being grouped. */
export const groupingError = (message: string): SqlError => new SqlError('42803', message);

/** 42P20: a window function where none is allowed (WHERE, GROUP BY, HAVING, JOIN conditions, …). */
export const windowingError = (message: string): SqlError => new SqlError('42P20', message);

/** 21000: a scalar subquery returned more than one row. */
export const cardinalityViolation = (): SqlError =>
  new SqlError('21000', 'more than one row returned by a subquery used as an expression');

/** 57014: the query was cancelled through its AbortSignal. */
export const queryCanceled = (): SqlError => new SqlError('57014', 'canceling statement due to user request');

/** 42P10/42601-style misuse of clauses (e.g. ORDER BY position out of range): invalid column reference. */
export const invalidColumnReference = (message: string): SqlError => new SqlError('42P10', message);

/** 22023: an argument value is invalid for the function (e.g. unknown date_trunc unit). */
export const invalidParameterValue = (message: string): SqlError => new SqlError('22023', message);

/** 42P18/42P08-like: a parameter ($n) was referenced but not supplied. */
export const undefinedParameter = (n: number): SqlError =>
  new SqlError('42P02', `there is no parameter $${n}`);

/** Wraps anything thrown into a SqlError (internal errors become XX000). */
export function toSqlError(err: unknown): SqlError {
  if (err instanceof SqlError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const out = new SqlError('XX000', message);
  // An internal error is a bug: keep the original (and its stack) for whoever debugs it.
  out.cause = err;
  return out;
}
