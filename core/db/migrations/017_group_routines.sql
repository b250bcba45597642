-- The routines an attendance group works, explicit (a call in a group that does not work the
-- routine is refused). Existing groups keep working all three.
ALTER TABLE attendance_groups ADD COLUMN telemarketing BOOLEAN DEFAULT TRUE;
ALTER TABLE attendance_groups ADD COLUMN televendas BOOLEAN DEFAULT TRUE;
ALTER TABLE attendance_groups ADD COLUMN telecobranca BOOLEAN DEFAULT TRUE;
UPDATE attendance_groups SET telemarketing = TRUE, televendas = TRUE, telecobranca = TRUE;
