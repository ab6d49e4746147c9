import { api, json } from '../commons/http';
import { auditAdminAction } from '../audit/record';
import { conflict } from '../commons/problem';
import { createLocationBody } from '../domain/schemas';
import { LocationExists, locationStore } from '../adapters/location-store';

export const handler = api({ auth: 'admin', body: createLocationBody }, async ({ body, principal }) => {
  let location;
  try {
    location = await locationStore.create({ ...body, ...(body.address ? { address: body.address } : {}) });
  } catch (error) {
    if (error instanceof LocationExists) throw conflict('location-exists', `A location with id ${body.id} already exists.`);
    throw error;
  }
  await auditAdminAction(principal, 'location.create', `location:${body.id}`, { priority: body.priority, active: body.active });
  return json(201, location, { location: `/admin/locations/${body.id}` });
});
