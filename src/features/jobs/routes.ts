import type { FeatureRoutes } from "../../platform/feature.js";

export const jobRoutes: FeatureRoutes = async () => {};
