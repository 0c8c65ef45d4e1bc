"""Month and weekday names, written by scripts/make_month_names.py: do not edit.

Source: CLDR 49 Gregorian calendar names in 43 languages (babel 2.19.0): en fr de de_AT es it pt nl ca gl eu ga cy sv da nb nn is fi et lv lt pl cs sk sl hr bs hu ro sq tr mt lb rm fo el ru uk be bg sr mk.
Names are folded: accents dropped, case folded, no final dot.
"""

# ruff: noqa: E501 -- one generated entry a line

#: Folded month name, month number (1-12), the languages that have it; one a line.
MONTHS = """\
abe 12 eu
abendua 12 eu
abr 4 ca,es,gl,lb,pt
abrell 4 lb
abril 4 ca,es,gl,pt
abu 8 eu
abuztua 8 eu
ag 8 ca
ago 8 es,gl,it,pt
agost 8 ca
agosto 8 es,gl,it,pt
agu 8 is,tr
agust 8 is
agustos 8 tr
aib 4 ga
aibrean 4 ga
aout 8 fr
api 4 eu
apirila 4 eu
apr 4 bs,da,de,de_AT,en,et,fo,hu,is,it,lv,mt,nb,nl,nn,ro,sk,sl,sv
april 4 bs,da,de,de_AT,en,fo,is,mt,nb,nl,nn,sk,sl,sv
aprila 4 sk
aprile 4 it
aprilie 4 ro
aprilis 4 hu,lv
aprill 4 et
ara 12 tr
aralik 12 tr
aug 8 bs,da,de,de_AT,en,et,fo,hu,lb,lv,nb,nl,nn,ro,sk,sv
august 8 bs,da,de,de_AT,en,et,fo,lb,nb,nn,ro,sk
augusta 8 sk
augusti 8 sv
augusts 8 lv
augustus 8 nl
augusztus 8 hu
avg 8 sl
avgust 8 sl
avr 4 fr,rm
avrigl 4 rm
avril 4 fr
avust 8 rm
awst 8 cy
aww 8 mt
awwissu 8 mt
aza 11 eu
azaroa 11 eu
bal 4 lt
balandis 4 lt
balandzio 4 lt
beal 5 ga
bealtaine 5 ga
birz 6 lt
birzelio 6 lt
birzelis 6 lt
bre 3 cs
brezen 3 cs
brezna 3 cs
cerven 6 cs
cervence 7 cs
cervenec 7 cs
cervna 6 cs
chw 2 cy
chwef 2 cy
chwefror 2 cy
cvc 7 cs
cvn 6 cs
cze 6 pl
czerwca 6 pl
czerwiec 6 pl
da december 12 rm
da fanadur 7 rm
da favrer 2 rm
da mars 3 rm
da matg 5 rm
da november 11 rm
da schaner 1 rm
da settember 9 rm
da zercladur 6 rm
de des 12 ca
de desembre 12 ca
de febr 2 ca
de febrer 2 ca
de gen 1 ca
de gener 1 ca
de jul 7 ca
de juliol 7 ca
de juny 6 ca
de maig 5 ca
de marc 3 ca
de nov 11 ca
de novembre 11 ca
de set 9 ca
de setembre 9 ca
dec 12 bs,da,en,fr,gl,hu,lv,nl,rm,ro,sk,sl,sv
decembar 12 bs
december 12 da,en,hu,nl,rm,sk,sl,sv
decembra 12 sk
decembre 12 fr
decembrie 12 ro
decembris 12 lv
decembro 12 gl
deireadh fomhair 10 ga
des 12 ca,fo,is,nb,nn
desember 12 fo,is,nb,nn
desembre 12 ca
dets 12 et
detsember 12 et
dez 12 de,de_AT,lb,pt
dezember 12 de,de_AT,lb
dezembro 12 pt
dfomh 10 ga
dhj 12 sq
dhjetor 12 sq
dic 12 es,it,mt
dicembre 12 it
dicembru 12 mt
diciembre 12 es
dub 4 cs
duben 4 cs
dubna 4 cs
d’abr 4 ca
d’abril 4 ca
d’ag 8 ca
d’agost 8 ca
d’avrigl 4 rm
d’avust 8 rm
d’oct 10 ca
d’october 10 rm
d’octubre 10 ca
ean 1 ga
eanair 1 ga
ebr 4 cy
ebrill 4 cy
eka 6 eu
ekaina 6 eu
eki 10 tr
ekim 10 tr
elo 8 fi
elokuu 8 fi
elokuuta 8 fi
ene 1 es
enero 1 es
eyl 9 tr
eylul 9 tr
fan 7 rm
fanadur 7 rm
favr 2 rm
favrer 2 rm
feabh 2 ga
feabhra 2 ga
feb 2 bs,da,de,de_AT,en,es,fo,gl,is,it,lb,nb,nl,nn,ro,sk,sl,sv
febbraio 2 it
feber 2 de_AT
febr 2 ca,hu,lv
febreiro 2 gl
febrer 2 ca
febrero 2 es
februar 2 bs,da,de,de_AT,fo,hu,is,lb,nb,nn,sk,sl
februara 2 sk
februari 2 nl,sv
februarie 2 ro
februaris 2 lv
february 2 en
fev 2 pt
fevereiro 2 pt
fevr 2 fr
fevrier 2 fr
fra 2 mt
frar 2 mt
geg 5 lt
geguze 5 lt
geguzes 5 lt
gen 1 ca,it
gener 1 ca
gennaio 1 it
giu 6 it
giugno 6 it
gor 7 cy
gorff 7 cy
gorffennaf 7 cy
gru 12 pl
grudnia 12 pl
grudzien 12 pl
gruod 12 lt
gruodis 12 lt
gruodzio 12 lt
gun 6 mt
gunju 6 mt
gush 8 sq
gusht 8 sq
haz 6 tr
haziran 6 tr
heina 7 fi
heinakuu 7 fi
heinakuuta 7 fi
helmi 2 fi
helmikuu 2 fi
helmikuuta 2 fi
huhti 4 fi
huhtikuu 4 fi
huhtikuuta 4 fi
hyd 10 cy
hydref 10 cy
ian 1 ro
ianuarie 1 ro
ion 1 cy
ionawr 1 cy
ira 9 eu
iraila 9 eu
iuil 7 ga
iul 7 ro
iulie 7 ro
iun 6 ro
iunie 6 ro
jaan 1 et
jaanuar 1 et
jan 1 bs,da,de,de_AT,en,fo,hu,is,lb,mt,nb,nl,nn,pt,sk,sl,sq,sv
janar 1 sq
janeiro 1 pt
jannar 1 mt
janner 1 de_AT
januar 1 bs,da,de,fo,hu,is,lb,nb,nn,sk,sl
januara 1 sk
januari 1 nl,sv
january 1 en
janv 1 fr,lv
janvaris 1 lv
janvier 1 fr
joulu 12 fi
joulukuu 12 fi
joulukuuta 12 fi
juil 7 fr
juillet 7 fr
juin 6 fr
jul 7 bs,ca,da,de,de_AT,en,es,fo,hu,is,lb,lv,nb,nl,nn,pt,sk,sl
jula 7 sk
julho 7 pt
juli 7 bs,da,de,de_AT,fo,is,lb,nb,nl,nn,sv
julij 7 sl
julijs 7 lv
julio 7 es
juliol 7 ca
julius 7 hu
july 7 en
jun 6 bs,da,de,de_AT,en,es,fo,hu,is,lb,lv,nb,nl,nn,pt,sk,sl
juna 6 sk
june 6 en
junho 6 pt
juni 6 bs,da,de,de_AT,fo,is,lb,nb,nl,nn,sv
junij 6 sl
junijs 6 lv
junio 6 es
junius 6 hu
juny 6 ca
juuli 7 et
juuni 6 et
kas 11 tr
kasim 11 tr
kesa 6 fi
kesakuu 6 fi
kesakuuta 6 fi
kol 8 hr
kolovoz 8 hr
kolovoza 8 hr
korr 7 sq
korrik 7 sq
kov 3 lt
kovas 3 lt
kovo 3 lt
kve 5 cs
kveten 5 cs
kvetna 5 cs
kwi 4 pl
kwiecien 4 pl
kwietnia 4 pl
lapkr 11 lt
lapkricio 11 lt
lapkritis 11 lt
led 1 cs
leden 1 cs
ledna 1 cs
liep 7 lt
liepa 7 lt
liepos 7 lt
lipanj 6 hr
lipca 7 pl
lipiec 7 pl
lipnja 6 hr
listopadu 11 cs
loka 10 fi
lokakuu 10 fi
lokakuuta 10 fi
lug 7 it
luglio 7 it
lul 7 mt
lulju 7 mt
lun 8 ga
lunasa 8 ga
lut 2 pl
lutego 2 pl
luty 2 pl
maalis 3 fi
maaliskuu 3 fi
maaliskuuta 3 fi
maart 3 nl
mae 3 lb
maerz 3 lb
mag 5 it
maggio 5 it
mai 5 cy,de,de_AT,et,eu,fo,fr,is,nb,nn,pt,ro
maiatza 5 eu
maig 5 ca
maijs 5 lv
maio 5 gl,pt
maj 5 bs,da,hu,pl,sk,sl,sq,sv
maja 5 pl,sk
majus 5 hu
mar 3 bs,da,de,de_AT,en,es,eu,fo,gl,is,it,mt,nb,nn,pl,pt,ro,sk,sl,sq,tr
marc 3 ca,hu
marca 3 pl,sk
march 3 en
marcius 3 hu
marco 3 pt
marec 3 sk,sl
marras 11 fi
marraskuu 11 fi
marraskuuta 11 fi
mars 3 fo,fr,is,nb,nn,rm,sq,sv
mart 3 bs,tr
marta 3 ga
martie 3 ro
marts 3 da,et,lv
martxoa 3 eu
marz 3 de,de_AT
marzec 3 pl
marzo 3 es,gl,it
marzu 3 mt
matg 5 rm
maw 3 cy
mawrth 3 cy
may 5 en,es,tr
mayis 5 tr
mayo 5 es
mean fomhair 9 ga
medi 9 cy
mee 5 lb
meh 6 cy
mehefin 6 cy
mei 5 nl
meith 6 ga
meitheamh 6 ga
mej 5 mt
mejju 5 mt
mfomh 9 ga
mrt 3 nl
nen 11 sq
nentor 11 sq
nis 4 tr
nisan 4 tr
noiembrie 11 ro
noll 12 ga
nollaig 12 ga
nov 11 bs,ca,da,de,de_AT,en,es,et,fo,fr,gl,hu,is,it,lb,lv,mt,nb,nl,nn,pt,rm,ro,sk,sl,sv
novembar 11 bs
november 11 da,de,de_AT,en,et,fo,hu,is,lb,nb,nl,nn,rm,sk,sl,sv
novembra 11 sk
novembre 11 ca,fr,it
novembris 11 lv
novembro 11 gl,pt
novembru 11 mt
noviembre 11 es
oca 1 tr
ocak 1 tr
oct 10 ca,en,es,fr,rm,ro
october 10 en,rm
octobre 10 fr
octombrie 10 ro
octubre 10 ca,es
okt 10 bs,da,de,de_AT,et,fo,hu,is,lb,lv,nb,nl,nn,sk,sl,sv
oktobar 10 bs
oktober 10 da,de,de_AT,fo,hu,is,lb,nb,nl,nn,sk,sl,sv
oktobra 10 sk
oktobris 10 lv
oktoober 10 et
ots 2 eu
otsaila 2 eu
ott 10 it,mt
ottobre 10 it
ottubru 10 mt
out 10 gl,pt
outubro 10 gl,pt
ozu 3 hr
ozujak 3 hr
ozujka 3 hr
paz 10 pl
pazdziernik 10 pl
pazdziernika 10 pl
pri 4 sq
prill 4 sq
pro 12 cs,hr
prosinac 12 hr
prosinca 12 hr
prosince 12 cs
prosinec 12 cs
qer 6 sq
qershor 6 sq
rhag 12 cy
rhagfyr 12 cy
rij 10 cs
rijen 10 cs
rijna 10 cs
rugp 8 lt
rugpjucio 8 lt
rugpjutis 8 lt
rugs 9 lt
rugsejis 9 lt
rugsejo 9 lt
ruj 9 hr
rujan 9 hr
rujna 9 hr
samh 11 ga
samhain 11 ga
saus 1 lt
sausio 1 lt
sausis 1 lt
schan 1 rm
schaner 1 rm
sep 9 bs,da,de,de_AT,en,fo,is,lb,nb,nl,nn,sk,sl,sv
sept 9 de,en,es,et,fr,lv,ro
septembar 9 bs
september 9 da,de,de_AT,en,et,fo,is,lb,nb,nl,nn,sk,sl,sv
septembra 9 sk
septembre 9 fr
septembrie 9 ro
septembris 9 lv
septiembre 9 es
set 9 ca,gl,it,mt,pt
setembre 9 ca
setembro 9 gl,pt
sett 9 rm
settember 9 rm
settembre 9 it
settembru 9 mt
shk 2 sq
shkurt 2 sq
sht 9 sq
shtator 9 sq
sie 8 pl
sierpien 8 pl
sierpnia 8 pl
sij 1 hr
sijecanj 1 hr
sijecnja 1 hr
spal 10 lt
spalio 10 lt
spalis 10 lt
srpanj 7 hr
srpen 8 cs
srpna 8 cs
srpnja 7 hr
stu 11 hr
studeni 11 hr
studenoga 11 hr
sty 1 pl
styczen 1 pl
stycznia 1 pl
sub 2 tr
subat 2 tr
svi 5 hr
svibanj 5 hr
svibnja 5 hr
syys 9 fi
syyskuu 9 fi
syyskuuta 9 fi
szept 9 hu
szeptember 9 hu
tach 11 cy
tachwedd 11 cy
tammi 1 fi
tammikuu 1 fi
tammikuuta 1 fi
tem 7 tr
temmuz 7 tr
tet 10 sq
tetor 10 sq
touko 5 fi
toukokuu 5 fi
toukokuuta 5 fi
tra 4 hr
travanj 4 hr
travnja 4 hr
uno 2 cs
unor 2 cs
unora 2 cs
urr 10 eu
urria 10 eu
urt 1 eu
urtarrila 1 eu
uzt 7 eu
uztaila 7 eu
vas 2 lt
vasario 2 lt
vasaris 2 lt
veebr 2 et
veebruar 2 et
velj 2 hr
veljaca 2 hr
veljace 2 hr
wrz 9 pl
wrzesien 9 pl
wrzesnia 9 pl
xan 1 gl
xaneiro 1 gl
xul 7 gl
xullo 7 gl
xuno 6 gl
zar 9 cs
zari 9 cs
zercl 6 rm
zercladur 6 rm
απρ 4 el
απριλιοσ 4 el
απριλιου 4 el
αυγ 8 el
αυγουστοσ 8 el
αυγουστου 8 el
δεκ 12 el
δεκεμβριοσ 12 el
δεκεμβριου 12 el
ιαν 1 el
ιανουαριοσ 1 el
ιανουαριου 1 el
ιουλ 7 el
ιουλιοσ 7 el
ιουλιου 7 el
ιουν 6 el
ιουνιοσ 6 el
ιουνιου 6 el
μαι 5 el
μαιοσ 5 el
μαιου 5 el
μαρ 3 el
μαρτιοσ 3 el
μαρτιου 3 el
νοε 11 el
νοεμβριοσ 11 el
νοεμβριου 11 el
οκτ 10 el
οκτωβριοσ 10 el
οκτωβριου 10 el
σεπ 9 el
σεπτεμβριοσ 9 el
σεπτεμβριου 9 el
φεβ 2 el
φεβρουαριοσ 2 el
φεβρουαριου 2 el
авг 8 bg,mk,ru,sr
август 8 bg,mk,ru,sr
августа 8 ru
апр 4 bg,mk,ru,sr
апрель 4 ru
апреля 4 ru
април 4 bg,mk,sr
бер 3 uk
березень 3 uk
березня 3 uk
вер 9 be,uk
верасень 9 be
верасня 9 be
вересень 9 uk
вересня 9 uk
груд 12 uk
грудень 12 uk
грудня 12 uk
дек 12 bg,mk,ru
декабрь 12 ru
декабря 12 ru
декември 12 bg,mk
дец 12 sr
децембар 12 sr
жні 8 be
жнівень 8 be
жніуня 8 be
жовт 10 uk
жовтень 10 uk
жовтня 10 uk
июл 7 ru
июль 7 ru
июля 7 ru
июн 6 ru
июнь 6 ru
июня 6 ru
кас 10 be
кастрычнік 10 be
кастрычніка 10 be
квіт 4 uk
квітень 4 uk
квітня 4 uk
кра 4 be
красавік 4 be
красавіка 4 be
лип 7 uk
липень 7 uk
липня 7 uk
лист 11 uk
листопад 11 uk
листопада 11 uk
лют 2 be,uk
лютага 2 be
лютии 2 uk
лютого 2 uk
люты 2 be
ліп 7 be
ліпень 7 be
ліпеня 7 be
ліс 11 be
лістапад 11 be
лістапада 11 be
маи 5 be,bg,ru
мар 3 mk,ru,sr
март 3 bg,mk,ru,sr
марта 3 ru
мая 5 be,ru
мај 5 mk,sr
нов 11 sr
новембар 11 sr
ное 11 bg,mk
ноември 11 bg,mk
нояб 11 ru
ноябрь 11 ru
ноября 11 ru
окт 10 bg,mk,ru,sr
октобар 10 sr
октомври 10 bg,mk
октябрь 10 ru
октября 10 ru
сак 3 be
сакавік 3 be
сакавіка 3 be
сент 9 ru
сентябрь 9 ru
сентября 9 ru
сеп 9 bg,mk,sr
септембар 9 sr
септември 9 bg,mk
серп 8 uk
серпень 8 uk
серпня 8 uk
сне 12 be
снежань 12 be
снежня 12 be
сту 1 be
студзень 1 be
студзеня 1 be
січ 1 uk
січень 1 uk
січня 1 uk
трав 5 uk
травень 5 uk
травня 5 uk
феб 2 sr
фебруар 2 sr
фев 2 bg,mk
февр 2 ru
февраль 2 ru
февраля 2 ru
февруари 2 bg,mk
черв 6 uk
червень 6 uk
червня 6 uk
чэр 6 be
чэрвень 6 be
чэрвеня 6 be
юли 7 bg
юни 6 bg
янв 1 ru
январь 1 ru
января 1 ru
яну 1 bg
януари 1 bg
јан 1 mk,sr
јануар 1 sr
јануари 1 mk
јул 7 mk,sr
јули 7 mk
јун 6 mk,sr
јуни 6 mk
"""

#: Names that mean different months in different languages: name, then month:languages, ...
AMBIGUOUS = """\
lip 6:hr 7:pl
lis 10:hr 11:cs,pl
listopad 10:hr 11:cs,pl
listopada 10:hr 11:pl
srp 7:hr 8:cs
"""

#: Folded weekday names, one a line (a date may start with its weekday).
WEEKDAYS = """\
al
an
antradienis
aoine
ar
asteartea
asteazkena
astelehena
az
car
carsamba
cead
cet
cetrtek
ceturtd
ceturtdiena
cetvrtak
cmt
cs
csutortok
ct
ctvrtek
cum
cuma
cumartesi
czw
czwartek
dc
de ceadaoin
de domhnaigh
de haoine
de luain
de mairt
de sathairn
dear
deardaoin
den
denschdeg
dg
di
die
dienstag
dijous
dilluns
dim
dimanche
dimarts
dimecres
dinsdag
dissabte
diumenge
divendres
dj
dl
do
dom
domenica
domh
domingo
don
donderdag
donnerstag
donneschdeg
ds
dt
du
dum
dumengia
duminica
dv
dydd gwener
dydd iau
dydd llun
dydd mawrth
dydd mercher
dydd sadwrn
dydd sul
e
e diel
e enjte
e hene
e marte
e merkure
e premte
e shtune
enj
erb
esmaspaev
fim
fimmtudagur
fos
fostudagur
fr
fre
fredag
freideg
freitag
fri
friday
friggjadagur
gie
gievgia
gim
gio
giovedi
gli
glindesdi
gwe
gwen
h
hen
hetfo
hos
hosdagur
iau
ig
igandea
il-gimgħa
il-ħadd
il-ħamis
is-sibt
it-tlieta
it-tnejn
jeu
jeudi
joi
jue
jueves
k
ke
kedd
keskiviikko
keskiviikkona
ketvirtadienis
kolmapaev
kt
l
l-erbgħa
la
larunbata
lau
lauantai
lauantaina
laugardagur
laupaev
laurdag
ley
leygardagur
llun
lor
lordag
lr
luan
lun
lundi
lunedi
lunes
luni
luns
lør
lørdag
ma
maanantai
maanantaina
maandag
mairt
man
manadagur
mandag
manudagur
mar
mardi
martedi
martes
marti
maw
me
mei
meindeg
mer
mercoledi
mercores
mercredi
mesemna
met
mettwoch
mi
mie
miercoles
miercuri
mik
mikudagur
mittwoch
mið
miðvikudagur
mo
mon
monday
montag
n
ne
ned
nedela
nedele
nedelja
nedjelja
neljapaev
niedz
niedziela
og
on
ons
onsdag
or
osteguna
ostirala
otrd
otrdiena
p
pa
patek
paz
pazar
pazartesi
pe
penktadienis
pentek
per
perjantai
perjantaina
persembe
pet
petak
petek
pi
piatek
piatok
piektd
piektdiena
pirmadienis
pirmd
pirmdiena
pn
po
pon
pondeli
pondelok
ponedeljek
ponedjeljak
poniedziałek
pr
pre
pt
puhapaev
pzt
qua
quarta-feira
qui
quinta-feira
r
reede
sa
sab
sabado
sabato
sad
sal
sali
sam
sambata
samedi
samschdeg
samstag
sat
sath
saturday
seg
segunda-feira
sekmadienis
sestadienis
sestd
sestdiena
sex
sexta-feira
sht
sib
sk
so
sob
sobota
son
sonda
sondag
sonndeg
sonntag
sr
sre
sreda
sri
srijeda
sroda
st
streda
stvrtok
su
sub
subota
sul
sun
sunday
sunnudagur
sunnuntai
sunnuntaina
svetd
svetdiena
sze
szerda
szo
szombat
sø
søn
søndag
t
teisipaev
ter
terca-feira
thu
thursday
ti
tiistai
tiistaina
tir
tirs
tirsdag
tis
tisdag
tli
tne
to
tor
torek
tors
torsdag
torstai
torstaina
tr
treciadienis
tresd
tresdiena
tue
tuesday
ty
tys
tysdag
tysdagur
ut
utery
uto
utorak
utorok
v
vasarnap
ve
ven
venderdi
vendredi
venerdi
venres
vie
viernes
vin
vineri
vr
vrijdag
wed
wednesday
wo
woensdag
wt
wtorek
xov
xoves
za
zaterdag
zo
zondag
þri
þriðjudagur
ħad
ħam
δευ
δευτερα
κυρ
κυριακη
παρ
παρασκευη
πεμ
πεμπτη
σαβ
σαββατο
τετ
τεταρτη
τρι
τριτη
ау
ауторак
воскресенье
вс
вт
вто
вторник
вівторок
нд
нед
недела
неделя
недеља
неділя
нядзеля
пʼятниця
панядзелак
пет
петак
петок
петък
пн
пон
понеделник
понедельник
понедељак
понеділок
пт
пятница
пятніца
саб
сабота
сб
серада
середа
ср
сре
среда
сряда
суб
суббота
субота
събота
уто
уторак
чацвер
чет
четвер
четверг
четвртак
четврток
четвъртък
чт
чц
"""
