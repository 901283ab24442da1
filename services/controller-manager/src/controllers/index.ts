import type { Controller, ControllerContext } from '../controller/context';

/**
 * Every controller the controller-manager can run, by the name `--controllers` uses (Kubernetes'
 * names). Adding one is a folder in controllers/ and a line here.
 */
export const CONTROLLERS: Record<string, (ctx: ControllerContext) => Controller> = {};
