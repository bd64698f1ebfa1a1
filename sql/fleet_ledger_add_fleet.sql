-- Records the fleet unless a runner did first: $1 fleet.
INSERT INTO citadel_fleet (fleet) VALUES ($1) ON CONFLICT (fleet) DO NOTHING
