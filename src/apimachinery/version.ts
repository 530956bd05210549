/** The Kubernetes version this server speaks and reports by default. */
export const kubernetesVersion = 'v1.35.0';
