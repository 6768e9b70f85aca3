package org.fleetrec.agent.audit;

import java.util.HashMap;
import java.util.Map;

/**
 * Audit record type numbers: kernel ones from {@code linux/audit.h} and the userspace ones from
 * libaudit ({@code 1100-1199}, {@code 2100-2999}). Names are the ones auditd writes after {@code type=}.
 */
public final class RecordTypes {
    // Control messages (netlink requests/replies, never seen in audit.log).
    public static final int GET = 1000;
    public static final int SET = 1001;
    public static final int USER = 1005;
    public static final int LOGIN = 1006;
    public static final int SIGNAL_INFO = 1010;
    public static final int ADD_RULE = 1011;
    public static final int DEL_RULE = 1012;
    public static final int LIST_RULES = 1013;
    public static final int TRIM = 1014;
    public static final int MAKE_EQUIV = 1015;
    public static final int TTY_GET = 1016;
    public static final int TTY_SET = 1017;
    public static final int SET_FEATURE = 1018;
    public static final int GET_FEATURE = 1019;

    // Userspace messages (PAM, shadow-utils, sudo, systemd, auditd itself).
    public static final int USER_AUTH = 1100;
    public static final int USER_ACCT = 1101;
    public static final int USER_MGMT = 1102;
    public static final int CRED_ACQ = 1103;
    public static final int CRED_DISP = 1104;
    public static final int USER_START = 1105;
    public static final int USER_END = 1106;
    public static final int USER_AVC = 1107;
    public static final int USER_CHAUTHTOK = 1108;
    public static final int USER_ERR = 1109;
    public static final int CRED_REFR = 1110;
    public static final int USYS_CONFIG = 1111;
    public static final int USER_LOGIN = 1112;
    public static final int USER_LOGOUT = 1113;
    public static final int ADD_USER = 1114;
    public static final int DEL_USER = 1115;
    public static final int ADD_GROUP = 1116;
    public static final int DEL_GROUP = 1117;
    public static final int USER_CMD = 1123;
    public static final int USER_TTY = 1124;
    public static final int CHUSER_ID = 1125;
    public static final int GRP_AUTH = 1126;
    public static final int SYSTEM_BOOT = 1127;
    public static final int SYSTEM_SHUTDOWN = 1128;
    public static final int SYSTEM_RUNLEVEL = 1129;
    public static final int SERVICE_START = 1130;
    public static final int SERVICE_STOP = 1131;
    public static final int GRP_MGMT = 1132;
    public static final int GRP_CHAUTHTOK = 1133;
    public static final int DAEMON_START = 1200;
    public static final int DAEMON_END = 1201;
    public static final int DAEMON_ABORT = 1202;
    public static final int DAEMON_CONFIG = 1203;

    // Kernel event records.
    public static final int SYSCALL = 1300;
    public static final int PATH = 1302;
    public static final int IPC = 1303;
    public static final int SOCKETCALL = 1304;
    public static final int CONFIG_CHANGE = 1305;
    public static final int SOCKADDR = 1306;
    public static final int CWD = 1307;
    public static final int EXECVE = 1309;
    public static final int IPC_SET_PERM = 1311;
    public static final int MQ_OPEN = 1312;
    public static final int MQ_SENDRECV = 1313;
    public static final int MQ_NOTIFY = 1314;
    public static final int MQ_GETSETATTR = 1315;
    public static final int KERNEL_OTHER = 1316;
    public static final int FD_PAIR = 1317;
    public static final int OBJ_PID = 1318;
    public static final int TTY = 1319;
    public static final int EOE = 1320;
    public static final int BPRM_FCAPS = 1321;
    public static final int CAPSET = 1322;
    public static final int MMAP = 1323;
    public static final int NETFILTER_PKT = 1324;
    public static final int NETFILTER_CFG = 1325;
    public static final int SECCOMP = 1326;
    public static final int PROCTITLE = 1327;
    public static final int FEATURE_CHANGE = 1328;
    public static final int REPLACE = 1329;
    public static final int KERN_MODULE = 1330;
    public static final int FANOTIFY = 1331;
    public static final int TIME_INJOFFSET = 1332;
    public static final int TIME_ADJNTPVAL = 1333;
    public static final int BPF = 1334;
    public static final int EVENT_LISTENER = 1335;
    public static final int URINGOP = 1336;
    public static final int OPENAT2 = 1337;
    public static final int DM_CTRL = 1338;
    public static final int DM_EVENT = 1339;
    public static final int AVC = 1400;
    public static final int SELINUX_ERR = 1401;
    public static final int AVC_PATH = 1402;
    public static final int MAC_POLICY_LOAD = 1403;
    public static final int MAC_STATUS = 1404;
    public static final int MAC_CONFIG_CHANGE = 1405;
    public static final int ANOM_PROMISCUOUS = 1700;
    public static final int ANOM_ABEND = 1701;
    public static final int ANOM_LINK = 1702;
    public static final int ANOM_CREAT = 1703;
    public static final int INTEGRITY_DATA = 1800;
    public static final int KERNEL = 2000;

    // More userspace messages (2100-2999).
    public static final int ANOM_LOGIN_FAILURES = 2100;
    public static final int ANOM_ROOT_TRANS = 2117;
    public static final int USER_ROLE_CHANGE = 2300;
    public static final int CRYPTO_KEY_USER = 2404;
    public static final int CRYPTO_SESSION = 2407;

    /** First and last type numbers that carry audit event records (everything else is netlink control). */
    public static final int FIRST_RECORD = 1100;
    public static final int LAST_RECORD = 2999;

    private static final Map<Integer, String> NAMES = new HashMap<>();
    private static final Map<String, Integer> NUMBERS = new HashMap<>();

    static {
        Object[] table = {
            GET, "GET", SET, "SET", USER, "USER", LOGIN, "LOGIN", SIGNAL_INFO, "SIGNAL_INFO",
            ADD_RULE, "ADD_RULE", DEL_RULE, "DEL_RULE", LIST_RULES, "LIST_RULES", TRIM, "TRIM",
            MAKE_EQUIV, "MAKE_EQUIV", TTY_GET, "TTY_GET", TTY_SET, "TTY_SET",
            SET_FEATURE, "SET_FEATURE", GET_FEATURE, "GET_FEATURE",
            USER_AUTH, "USER_AUTH", USER_ACCT, "USER_ACCT", USER_MGMT, "USER_MGMT", CRED_ACQ, "CRED_ACQ",
            CRED_DISP, "CRED_DISP", USER_START, "USER_START", USER_END, "USER_END", USER_AVC, "USER_AVC",
            USER_CHAUTHTOK, "USER_CHAUTHTOK", USER_ERR, "USER_ERR", CRED_REFR, "CRED_REFR",
            USYS_CONFIG, "USYS_CONFIG", USER_LOGIN, "USER_LOGIN", USER_LOGOUT, "USER_LOGOUT",
            ADD_USER, "ADD_USER", DEL_USER, "DEL_USER", ADD_GROUP, "ADD_GROUP", DEL_GROUP, "DEL_GROUP",
            1118, "DAC_CHECK", 1119, "CHGRP_ID", 1120, "TEST", 1121, "TRUSTED_APP", 1122, "USER_SELINUX_ERR",
            USER_CMD, "USER_CMD", USER_TTY, "USER_TTY", CHUSER_ID, "CHUSER_ID", GRP_AUTH, "GRP_AUTH",
            SYSTEM_BOOT, "SYSTEM_BOOT", SYSTEM_SHUTDOWN, "SYSTEM_SHUTDOWN", SYSTEM_RUNLEVEL, "SYSTEM_RUNLEVEL",
            SERVICE_START, "SERVICE_START", SERVICE_STOP, "SERVICE_STOP", GRP_MGMT, "GRP_MGMT",
            GRP_CHAUTHTOK, "GRP_CHAUTHTOK", 1134, "MAC_CHECK", 1135, "ACCT_LOCK", 1136, "ACCT_UNLOCK",
            1137, "USER_DEVICE", 1138, "SOFTWARE_UPDATE",
            DAEMON_START, "DAEMON_START", DAEMON_END, "DAEMON_END", DAEMON_ABORT, "DAEMON_ABORT",
            DAEMON_CONFIG, "DAEMON_CONFIG", 1204, "DAEMON_RECONFIG", 1205, "DAEMON_ROTATE",
            1206, "DAEMON_RESUME", 1207, "DAEMON_ACCEPT", 1208, "DAEMON_CLOSE", 1209, "DAEMON_ERR",
            SYSCALL, "SYSCALL", 1301, "FS_WATCH", PATH, "PATH", IPC, "IPC", SOCKETCALL, "SOCKETCALL",
            CONFIG_CHANGE, "CONFIG_CHANGE", SOCKADDR, "SOCKADDR", CWD, "CWD", 1308, "FS_INODE",
            EXECVE, "EXECVE", IPC_SET_PERM, "IPC_SET_PERM", MQ_OPEN, "MQ_OPEN", MQ_SENDRECV, "MQ_SENDRECV",
            MQ_NOTIFY, "MQ_NOTIFY", MQ_GETSETATTR, "MQ_GETSETATTR", KERNEL_OTHER, "KERNEL_OTHER",
            FD_PAIR, "FD_PAIR", OBJ_PID, "OBJ_PID", TTY, "TTY", EOE, "EOE", BPRM_FCAPS, "BPRM_FCAPS",
            CAPSET, "CAPSET", MMAP, "MMAP", NETFILTER_PKT, "NETFILTER_PKT", NETFILTER_CFG, "NETFILTER_CFG",
            SECCOMP, "SECCOMP", PROCTITLE, "PROCTITLE", FEATURE_CHANGE, "FEATURE_CHANGE", REPLACE, "REPLACE",
            KERN_MODULE, "KERN_MODULE", FANOTIFY, "FANOTIFY", TIME_INJOFFSET, "TIME_INJOFFSET",
            TIME_ADJNTPVAL, "TIME_ADJNTPVAL", BPF, "BPF", EVENT_LISTENER, "EVENT_LISTENER",
            URINGOP, "URINGOP", OPENAT2, "OPENAT2", DM_CTRL, "DM_CTRL", DM_EVENT, "DM_EVENT",
            AVC, "AVC", SELINUX_ERR, "SELINUX_ERR", AVC_PATH, "AVC_PATH", MAC_POLICY_LOAD, "MAC_POLICY_LOAD",
            MAC_STATUS, "MAC_STATUS", MAC_CONFIG_CHANGE, "MAC_CONFIG_CHANGE", 1406, "MAC_UNLBL_ALLOW",
            1407, "MAC_CIPSOV4_ADD", 1408, "MAC_CIPSOV4_DEL", 1409, "MAC_MAP_ADD", 1410, "MAC_MAP_DEL",
            1411, "MAC_IPSEC_ADDSA", 1412, "MAC_IPSEC_DELSA", 1413, "MAC_IPSEC_ADDSPD",
            1414, "MAC_IPSEC_DELSPD", 1415, "MAC_IPSEC_EVENT", 1416, "MAC_UNLBL_STCADD",
            1417, "MAC_UNLBL_STCDEL", 1418, "MAC_CALIPSO_ADD", 1419, "MAC_CALIPSO_DEL",
            1420, "MAC_TASK_CONTEXTS", 1421, "MAC_OBJ_CONTEXTS",
            ANOM_PROMISCUOUS, "ANOM_PROMISCUOUS", ANOM_ABEND, "ANOM_ABEND", ANOM_LINK, "ANOM_LINK",
            ANOM_CREAT, "ANOM_CREAT",
            INTEGRITY_DATA, "INTEGRITY_DATA", 1801, "INTEGRITY_METADATA", 1802, "INTEGRITY_STATUS",
            1803, "INTEGRITY_HASH", 1804, "INTEGRITY_PCR", 1805, "INTEGRITY_RULE",
            1806, "INTEGRITY_EVM_XATTR", 1807, "INTEGRITY_POLICY_RULE", KERNEL, "KERNEL",
            ANOM_LOGIN_FAILURES, "ANOM_LOGIN_FAILURES", 2101, "ANOM_LOGIN_TIME", 2102, "ANOM_LOGIN_SESSIONS",
            2103, "ANOM_LOGIN_ACCT", 2104, "ANOM_LOGIN_LOCATION", 2105, "ANOM_MAX_DAC", 2106, "ANOM_MAX_MAC",
            2107, "ANOM_AMTU_FAIL", 2108, "ANOM_RBAC_FAIL", 2109, "ANOM_RBAC_INTEGRITY_FAIL",
            2110, "ANOM_CRYPTO_FAIL", 2111, "ANOM_ACCESS_FS", 2112, "ANOM_EXEC", 2113, "ANOM_MK_EXEC",
            2114, "ANOM_ADD_ACCT", 2115, "ANOM_DEL_ACCT", 2116, "ANOM_MOD_ACCT", 2117, "ANOM_ROOT_TRANS",
            2118, "ANOM_LOGIN_SERVICE", 2119, "ANOM_LOGIN_ROOT", 2120, "ANOM_ORIGIN_FAILURES",
            2121, "ANOM_SESSION",
            2200, "RESP_ANOMALY", 2201, "RESP_ALERT", 2202, "RESP_KILL_PROC", 2203, "RESP_TERM_ACCESS",
            2204, "RESP_ACCT_REMOTE", 2205, "RESP_ACCT_LOCK_TIMED", 2206, "RESP_ACCT_UNLOCK_TIMED",
            2207, "RESP_ACCT_LOCK", 2208, "RESP_TERM_LOCK", 2209, "RESP_SEBOOL", 2210, "RESP_EXEC",
            2211, "RESP_SINGLE", 2212, "RESP_HALT", 2213, "RESP_ORIGIN_BLOCK", 2214, "RESP_ORIGIN_BLOCK_TIMED",
            2215, "RESP_ORIGIN_UNBLOCK_TIMED",
            USER_ROLE_CHANGE, "USER_ROLE_CHANGE", 2301, "ROLE_ASSIGN", 2302, "ROLE_REMOVE",
            2303, "LABEL_OVERRIDE", 2304, "LABEL_LEVEL_CHANGE", 2305, "USER_LABELED_EXPORT",
            2306, "USER_UNLABELED_EXPORT", 2307, "DEV_ALLOC", 2308, "DEV_DEALLOC", 2309, "FS_RELABEL",
            2310, "USER_MAC_POLICY_LOAD", 2311, "ROLE_MODIFY", 2312, "USER_MAC_CONFIG_CHANGE",
            2313, "USER_MAC_STATUS",
            2400, "CRYPTO_TEST_USER", 2401, "CRYPTO_PARAM_CHANGE_USER", 2402, "CRYPTO_LOGIN",
            2403, "CRYPTO_LOGOUT", CRYPTO_KEY_USER, "CRYPTO_KEY_USER", 2405, "CRYPTO_FAILURE_USER",
            2406, "CRYPTO_REPLAY_USER", CRYPTO_SESSION, "CRYPTO_SESSION", 2408, "CRYPTO_IKE_SA",
            2409, "CRYPTO_IPSEC_SA",
            2500, "VIRT_CONTROL", 2501, "VIRT_RESOURCE", 2502, "VIRT_MACHINE_ID", 2503, "VIRT_INTEGRITY_CHECK",
            2504, "VIRT_CREATE", 2505, "VIRT_DESTROY", 2506, "VIRT_MIGRATE_IN", 2507, "VIRT_MIGRATE_OUT",
        };
        for (int i = 0; i < table.length; i += 2) {
            int number = (Integer) table[i];
            String name = (String) table[i + 1];
            if (NAMES.put(number, name) != null || NUMBERS.put(name, number) != null) {
                throw new ExceptionInInitializerError("duplicate record type " + number + " " + name);
            }
        }
    }

    private RecordTypes() {
    }

    /** The auditd name, or {@code UNKNOWN[n]} exactly as auditd writes types it does not know. */
    public static String name(int type) {
        String n = NAMES.get(type);
        return n != null ? n : "UNKNOWN[" + type + "]";
    }

    /**
     * Number for a name as written after {@code type=}: a known name, {@code UNKNOWN[n]}, or a plain number.
     * Returns -1 when the name is not recognised (callers decide whether that is an error).
     */
    public static int fromName(String name) {
        if (name == null || name.isEmpty()) {
            return -1;
        }
        Integer n = NUMBERS.get(name);
        if (n != null) {
            return n;
        }
        String digits = name;
        if (name.startsWith("UNKNOWN[") && name.endsWith("]")) {
            digits = name.substring(8, name.length() - 1);
        }
        if (digits.isEmpty() || digits.length() > 9) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(digits);
    }

    /** True for types that carry audit event text rather than netlink control data. */
    public static boolean isRecord(int type) {
        return type >= FIRST_RECORD && type <= LAST_RECORD;
    }
}
