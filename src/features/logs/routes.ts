import type { FeatureRoutes } from "../../platform/feature.js";

export const logRoutes: FeatureRoutes = async () => {};
