/** Small HTTP helpers shared by the suites. */

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions themselves
export type Json = any;

/** The JSON body of a response, typed loosely for assertions. */
export function json(response: Response): Promise<Json> {
  return response.json() as Promise<Json>;
}
