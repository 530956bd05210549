import { kubernetesVersion } from '../apimachinery/version.ts';

export interface VersionInfo {
  major: string; minor: string; gitVersion: string; gitCommit: string; gitTreeState: string;
  buildDate: string; goVersion: string; compiler: string; platform: string;
}

/** The `/version` document, for the cluster's Kubernetes version. */
export function versionInfo(gitVersion = kubernetesVersion): VersionInfo {
  const [major, minor] = gitVersion.replace(/^v/, '').split('.');
  return {
    major, minor, gitVersion, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean',
    buildDate: '2025-12-17T00:00:00Z', goVersion: 'go1.25.5', compiler: 'gc', platform: 'linux/amd64',
  };
}
