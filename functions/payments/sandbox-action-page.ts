import { formatMoney } from '../domain/money';
import { SandboxGateway, type SandboxIntent } from '../adapters/payments/sandbox-gateway';

/**
 * The sandbox 3-D Secure page (GET /sandbox/payments/{intentId}): reading the intent and rendering it. Apart
 * from answering (sandbox-actions.ts), which applies the payment event and so reaches the payment service
 * and the Stripe gateway: the page's function carries neither.
 */
const sandbox = new SandboxGateway();

export async function sandboxIntent(intentId: string): Promise<SandboxIntent | undefined> {
  if (!/^pi_sbx_[0-9a-f]{24}$/.test(intentId)) return undefined;
  return sandbox.get(intentId);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page: amount and card, two buttons (a plain form POST to the same URL), no script, no personal data. */
export function actionPageHtml(intent: SandboxIntent, notice?: string): string {
  const amount = formatMoney({ amount: intent.amount, currency: intent.currency.toUpperCase() });
  const card = intent.card ? `${intent.card.brand} •••• ${intent.card.last4}` : 'your card';
  const waiting = intent.status === 'requires_action';
  const state = waiting
    ? ''
    : intent.status === 'requires_capture' || intent.status === 'succeeded'
      ? '<p id="result">Payment confirmed. You can close this page.</p>'
      : '<p id="result">This payment was not confirmed. Nothing was charged.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Confirm your payment (sandbox 3-D Secure)</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem}</style>
</head><body>
<h1>Confirm your payment</h1>
<p>Sandbox 3-D Secure check: ${escapeHtml(amount)} with ${escapeHtml(card)}.</p>
${notice ? `<p>${escapeHtml(notice)}</p>` : ''}${state}
${waiting ? `<form method="post"><button name="outcome" value="approve" type="submit">Approve</button><button name="outcome" value="decline" type="submit">Refuse</button></form>` : ''}
</body></html>`;
}
