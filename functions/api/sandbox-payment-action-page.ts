import { api } from '../commons/http';
import { notFound } from '../commons/problem';
import { actionPageHtml, sandboxIntent } from '../payments/sandbox-action-page';

/** GET /sandbox/payments/{intentId}: the sandbox's 3-D Secure page (approve or refuse the payment). */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

export const handler = api({ auth: 'public' }, async ({ params }) => {
  const intent = await sandboxIntent(params.intentId ?? '');
  if (!intent) throw notFound('No sandbox payment is waiting at this address.');
  return { statusCode: 200, headers: PAGE_HEADERS, body: actionPageHtml(intent) };
});
