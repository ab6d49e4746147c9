import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type MailComposerType from 'nodemailer/lib/mail-composer';
import { config } from '../commons/config';
import { onFirstUse } from '../domain/first-use';
import { tracer } from '../commons/powertools';
import type { Email } from '../notifications/emails';

// SES is imported on the first email sent on AWS (never in local mode, which writes .eml files).
const sesSdk = () => import('@aws-sdk/client-sesv2');
let ses: Promise<SESv2Client> | undefined;

/**
 * nodemailer's MailComposer is 135 KB of JS, loaded on the first email rather than at init: most batches
 * the outbox consumer and the reconciler handle send none (need 'email' ships it beside the bundle;
 * domain/first-use.ts).
 */
const mailComposer = onFirstUse<typeof MailComposerType>(() => require('nodemailer/lib/mail-composer'));

/**
 * The RFC 5322 message of an email (nodemailer's MailComposer): multipart/alternative with the plain text
 * and the HTML, encoded headers for any Unicode subject or name, plus X-Order-Id and X-Notification-Kind.
 */
export async function buildMime(email: Email, id: string, date = new Date()): Promise<Buffer> {
  const MailComposer = mailComposer();
  return new MailComposer({
    from: config.senderEmail(),
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    headers: email.headers,
    messageId: `<${id}@order-service>`,
    date,
  })
    .compile()
    .build();
}

/**
 * Sends through Amazon SES v2 on AWS (the same MIME message, as raw content). In local mode
 * (LOCAL_DATA_DIR set) each email becomes one .eml file under .data/outbox/ that any mail client opens.
 * `id` names the message (Message-ID and the file): callers pass a stable id per event, e.g.
 * `<orderId>-<kind>`, and a second write of the same id locally fails rather than duplicating.
 */
export async function sendEmail(email: Email, id: string): Promise<string> {
  const mime = await buildMime(email, id);
  const localDir = config.localDataDir();
  if (localDir) {
    const dir = join(localDir, 'outbox');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}.eml`);
    await writeFile(file, mime, { flag: 'wx' });
    return file;
  }
  ses ??= sesSdk().then(({ SESv2Client: Client }) => tracer.captureAWSv3Client(new Client({})));
  const [client, { SendEmailCommand }] = await Promise.all([ses, sesSdk()]);
  const out = await client.send(
    new SendEmailCommand({
      FromEmailAddress: config.senderEmail(),
      Destination: { ToAddresses: [email.to] },
      Content: { Raw: { Data: new Uint8Array(mime) } },
    }),
  );
  return out.MessageId ?? '';
}
