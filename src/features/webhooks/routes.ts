import type { FeatureRoutes } from "../../platform/feature.js";

export const webhookRoutes: FeatureRoutes = async () => {};
