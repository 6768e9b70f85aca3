package org.fleetrec.agent.audit.rule;

/** Field ids of audit rules ({@code AUDIT_*} in linux/audit.h). */
public final class RuleField {
    public static final int PID = 0;
    public static final int UID = 1;
    public static final int EUID = 2;
    public static final int SUID = 3;
    public static final int FSUID = 4;
    public static final int GID = 5;
    public static final int EGID = 6;
    public static final int SGID = 7;
    public static final int FSGID = 8;
    public static final int LOGINUID = 9;
    public static final int PERS = 10;
    public static final int ARCH = 11;
    public static final int MSGTYPE = 12;
    public static final int SUBJ_USER = 13;
    public static final int SUBJ_ROLE = 14;
    public static final int SUBJ_TYPE = 15;
    public static final int SUBJ_SEN = 16;
    public static final int SUBJ_CLR = 17;
    public static final int PPID = 18;
    public static final int OBJ_USER = 19;
    public static final int OBJ_ROLE = 20;
    public static final int OBJ_TYPE = 21;
    public static final int OBJ_LEV_LOW = 22;
    public static final int OBJ_LEV_HIGH = 23;
    public static final int LOGINUID_SET = 24;
    public static final int SESSIONID = 25;
    public static final int FSTYPE = 26;
    public static final int DEVMAJOR = 100;
    public static final int DEVMINOR = 101;
    public static final int INODE = 102;
    public static final int EXIT = 103;
    public static final int SUCCESS = 104;
    public static final int WATCH = 105;
    public static final int PERM = 106;
    public static final int DIR = 107;
    public static final int FILETYPE = 108;
    public static final int OBJ_UID = 109;
    public static final int OBJ_GID = 110;
    public static final int FIELD_COMPARE = 111;
    public static final int EXE = 112;
    public static final int SADDR_FAM = 113;
    public static final int ARG0 = 200;
    public static final int ARG1 = 201;
    public static final int ARG2 = 202;
    public static final int ARG3 = 203;
    public static final int FILTERKEY = 210;

    private RuleField() {
    }

    /** Fields whose value is a length and whose bytes live in the rule's string buffer. */
    public static boolean isString(int field) {
        return switch (field) {
            case WATCH, DIR, FILTERKEY, EXE,
                 SUBJ_USER, SUBJ_ROLE, SUBJ_TYPE, SUBJ_SEN, SUBJ_CLR,
                 OBJ_USER, OBJ_ROLE, OBJ_TYPE, OBJ_LEV_LOW, OBJ_LEV_HIGH -> true;
            default -> false;
        };
    }
}
