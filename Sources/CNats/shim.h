// SPDX-License-Identifier: Apache-2.0
#include <nats/nats.h>

// The message at `index` of a fetched list (Swift sees `Msgs` as a pointer to optional pointers).
static inline natsMsg *tocsin_nats_list_message(natsMsgList *list, int index) {
    return list->Msgs[index];
}

// Takes the message at `index` out of a fetched list, so destroying the list leaves it alive.
static inline natsMsg *tocsin_nats_list_take(natsMsgList *list, int index) {
    natsMsg *message = list->Msgs[index];
    list->Msgs[index] = NULL;
    return message;
}
