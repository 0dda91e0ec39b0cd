/*
 * ra_plant.h - files planted where the daemon will write, for the tests
 * that check it never writes through them: a victim file (another
 * user's, with known content and mode) and what may stand at the path
 * instead of the daemon's file.  Include after <cmocka.h>.
 */
#ifndef RINGAUDIT_RA_PLANT_H
#define RINGAUDIT_RA_PLANT_H

/* The victim's owner: no user of this machine. */
#define RA_VICTIM_UID	4242
#define RA_VICTIM_GID	4343

enum ra_plant {
	RA_PLANT_NONE,
	RA_PLANT_SYMLINK,	/* to the victim */
	RA_PLANT_DANGLING,	/* to a path that does not exist */
	RA_PLANT_HARDLINK,	/* to the victim */
	RA_PLANT_FIFO,
};

extern const char *const ra_plant_names[];

/* The victim, made afresh: 4242:4343, 0600, known content. */
void ra_victim_make(const char *victim);
/* Fails the test unless the victim is as ra_victim_make left it. */
void ra_victim_untouched(const char *victim);
/* WHAT at AT (removed first), pointing to VICTIM or NOWHERE. */
void ra_plant(enum ra_plant what, const char *at, const char *victim,
    const char *nowhere);

#endif
