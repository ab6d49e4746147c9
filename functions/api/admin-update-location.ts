import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { notFound } from '../commons/problem';
import { LOCATION_PATTERN } from '../domain/patterns';
import { updateLocationBody } from '../domain/schemas';
import { LocationNotFound, locationStore } from '../adapters/location-store';

export const handler = api({ auth: 'admin', body: updateLocationBody }, async ({ params, body, principal }) => {
  const id = params.id ?? '';
  if (!LOCATION_PATTERN.test(id)) throw notFound(`Location ${id.slice(0, 40)} was not found.`);
  let location;
  try {
    location = await locationStore.update(id, body);
  } catch (error) {
    if (error instanceof LocationNotFound) throw notFound(`Location ${id} was not found.`);
    throw error;
  }
  await auditAdminAction(principal, 'location.update', `location:${id}`, { fields: Object.keys(body).sort() });
  return json(200, location);
});
