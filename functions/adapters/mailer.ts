import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { config } from '../commons/config';
import { tracer } from '../commons/powertools';
import type { Email } from '../notifications/emails';

let ses: SESv2Client | undefined;

/**
 * Sends through Amazon SES on AWS. In local mode (LOCAL_DATA_DIR set) each email becomes an .eml file
 * under .data/outbox/ that any mail client opens.
 */
export async function sendEmail(email: Email, id: string): Promise<string> {
  const localDir = config.localDataDir();
  if (localDir) {
    const dir = join(localDir, 'outbox');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}.eml`);
    const eml = [
      `From: ${config.senderEmail()}`,
      `To: ${email.to}`,
      `Subject: ${email.subject}`,
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <${id}@order-service.local>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      email.text,
      '',
    ].join('\r\n');
    await writeFile(file, eml, { flag: 'wx' });
    return file;
  }
  ses ??= tracer.captureAWSv3Client(new SESv2Client({}));
  const out = await ses.send(
    new SendEmailCommand({
      FromEmailAddress: config.senderEmail(),
      Destination: { ToAddresses: [email.to] },
      Content: { Simple: { Subject: { Data: email.subject }, Body: { Text: { Data: email.text } } } },
    }),
  );
  return out.MessageId ?? '';
}
