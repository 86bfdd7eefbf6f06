/** An HTTP error the simulator answers with `{"message": …}` (paymo-api.md 1.5). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Throws a 400 Bad Request with Paymo's kind of message. */
export function badRequest(message: string): never {
  throw new ApiError(400, message);
}
