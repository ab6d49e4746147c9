import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { renderLabelPdf, renderLabelZpl } from '../fulfillment/label';
import { approveReturn } from '../returns/service';
import { adminReturnView } from '../returns/views';

/** POST /admin/returns/{id}/approve → APPROVED with a return label (customer → the shipment's location). */
export const handler = api({ auth: 'admin' }, async ({ params, principal }) => {
  const approved = await approveReturn(params.id!, `admin:${principal!.username}`, { renderLabelPdf, renderLabelZpl });
  await auditAdminAction(principal, 'return.approve', `return:${approved.id}`, { trackingNumber: approved.trackingNumber });
  return json(200, adminReturnView(approved));
});
