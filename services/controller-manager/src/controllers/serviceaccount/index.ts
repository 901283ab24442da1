export { ServiceAccountsController } from './serviceaccounts-controller';
