export { NamespaceController } from './namespace-controller';
