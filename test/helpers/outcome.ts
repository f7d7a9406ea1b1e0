/**
 * What `authenticate()` made of a request: `'ok'`, or the OAuthError it was refused with (any
 * other exception is a bug and is rethrown), for suites that assert on codes and counts.
 */
import { type ClientAuthenticator, type ClientAuthRequest, type EndpointName, OAuthError } from '@client-auth/core';

export async function outcome(
  auth: Pick<ClientAuthenticator, 'authenticate'>,
  request: ClientAuthRequest,
  endpoint: EndpointName = 'token',
): Promise<'ok' | OAuthError> {
  try {
    await auth.authenticate(request, { endpoint });
    return 'ok';
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
}
