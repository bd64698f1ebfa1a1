export default async function fleetKubernetes(): Promise<number> {
  return 2;
}
