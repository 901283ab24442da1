export { DeploymentController } from './deployment-controller';
