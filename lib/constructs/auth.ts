import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface AuthProps {
  readonly retainData: boolean;
  readonly featurePlan: 'plus' | 'essentials';
}

/**
 * Cognito, two pools. Customers: email + password, self sign-up, TOTP optional (storefront shoppers are not
 * forced into an authenticator app). Admins: a separate pool that requires TOTP MFA for every sign-in, with
 * no self sign-up; its members are also in group `admin`, which the handlers check. Cognito's MFA setting is
 * per pool (not per group or app client), hence two pools (docs/decisions.md, 2026-12-01).
 */
export class Auth extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** Administrators only: TOTP MFA required. The dashboard signs in here; /admin routes accept only its tokens. */
  readonly adminPool: UserPool;
  readonly adminClient: UserPoolClient;
  /** Where clients call InitiateAuth (the same shape as cognito-local's endpoint in .data/local.json). */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    const plus = props.featurePlan === 'plus';

    this.userPool = new UserPool(this, 'UserPool', {
      signInAliases: { email: true },
      signInCaseSensitive: false,
      // Customers register themselves from the storefront; admins are promoted by adding them to `admin`.
      selfSignUpEnabled: true,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: plus ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      // Plus: compromised-credential and adaptive-risk checks block sign-ins instead of only logging them.
      standardThreatProtectionMode: plus ? StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });


    // A public client (SPA and storefronts cannot keep a secret). USER_PASSWORD_AUTH is what local mode and
    // the README's curl use; SRP keeps the password off the wire for browsers that support it.
    this.client = this.userPool.addClient('AppClient', {
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.adminPool = new UserPool(this, 'AdminPool', {
      signInAliases: { email: true },
      signInCaseSensitive: false,
      // Admins are created by an operator (AdminCreateUser, docs/deploy.md), never by signing up.
      selfSignUpEnabled: false,
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(1),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: plus ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: plus ? StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    new UserPoolGroup(this, 'AdminGroup', {
      userPool: this.adminPool,
      groupName: 'admin',
      description: 'Administrators: the dashboard and every /admin route.',
    });
    this.adminClient = this.adminPool.addClient('AdminAppClient', {
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // An admin signs in (with TOTP) at least once a working day.
      refreshTokenValidity: Duration.hours(12),
    });

    this.endpoint = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com`;
  }
}
