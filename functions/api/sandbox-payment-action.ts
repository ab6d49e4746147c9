import * as z from '../domain/zod';
import { api, json, zodErrors } from '../commons/http';
import { badRequest, conflict, notFound, ProblemError } from '../commons/problem';
import { actionPageHtml, answerSandboxAction, PaymentStateError, sandboxIntent } from '../payments/sandbox-actions';
import { PAGE_HEADERS } from './sandbox-payment-action-page';

/**
 * POST /sandbox/payments/{intentId}: the customer's (or a script's) answer to the sandbox 3-D Secure check.
 * JSON `{"outcome":"approve"|"decline"}`, or the page's form (`outcome=approve`). The form gets the page
 * back; JSON gets `{ intentId, status }`. An answer after the wait ended is 409; bad input 400/415.
 */
const answer = z.strictObject({ outcome: z.enum(['approve', 'decline']) });

export const handler = api({ auth: 'public', parsesOwnBody: true }, async ({ event, params, headers }) => {
  const intentId = params.intentId ?? '';
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  let body: unknown;
  if (type === 'application/json') {
    try {
      body = JSON.parse(raw);
    } catch {
      throw badRequest('The body is not valid JSON.');
    }
  } else if (type === 'application/x-www-form-urlencoded') {
    body = Object.fromEntries(new URLSearchParams(raw));
  } else {
    throw new ProblemError(415, 'unsupported-media-type', 'Send application/json {"outcome":"approve"|"decline"} or the page form.');
  }
  const parsed = answer.safeParse(body);
  if (!parsed.success) throw badRequest('outcome must be "approve" or "decline".', zodErrors(parsed.error));

  if (!(await sandboxIntent(intentId))) throw notFound('No sandbox payment is waiting at this address.');
  let intent;
  try {
    intent = await answerSandboxAction(intentId, parsed.data.outcome);
  } catch (error) {
    if (error instanceof PaymentStateError) throw conflict('payment-action-closed', `${error.message} The answer was not recorded.`);
    throw error;
  }
  if (type === 'application/x-www-form-urlencoded') return { statusCode: 200, headers: PAGE_HEADERS, body: actionPageHtml(intent) };
  return json(200, { intentId, status: intent.status });
});
