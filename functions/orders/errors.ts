/**
 * Errors that cross the Step Functions boundary. Step Functions matches Catch/Retry on the Lambda's
 * errorType, which is the error's `name`: keep these names in sync with statemachines/*.asl.json.
 */
export class OutOfStock extends Error {
  override readonly name = 'OutOfStock';
  constructor(readonly skus: string[]) {
    super(`Not enough stock for ${skus.join(', ')}`);
  }
}

/** The order was cancelled (or otherwise left the expected status) while the step ran. */
export class OrderNotActive extends Error {
  override readonly name = 'OrderNotActive';
  constructor(orderId: string, status: string | undefined) {
    super(`Order ${orderId} is ${status ?? 'missing'}; the workflow stops and compensates`);
  }
}

export class PaymentDeclined extends Error {
  override readonly name = 'PaymentDeclined';
  constructor(readonly declineCode: string) {
    super(`Payment declined: ${declineCode}`);
  }
}
